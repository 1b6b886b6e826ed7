/**
 * Benchmark of the SQL engine on DuckDB against the stream engine (not a test): generates the Interactions CSV of
 * bench-data.ts (1 GB by default; `--mb N` for quick runs), then checks it with each engine in a child process of
 * its own, in one run, and prints MB/s, the ratio and each one's peak RSS. DuckDB's time includes loading the raw
 * lines; both read from the page cache. Best of 2 runs each: the machine may be shared, so compare the ratio.
 *
 *   npx ts-node --transpile-only scripts/bench-sql.ts [--mb 200]
 */
import { execFileSync } from "child_process";
import { statSync } from "fs";
import * as os from "os";
import * as path from "path";
import { checkDataFiles } from "../datacheck";
import { openDuckDb } from "../datacheck/engines/duckdb/engine";
import { checkWithSql } from "../datacheck/engines/sql/check";
import { generate } from "./bench-data";
import { parseScriptArguments, positiveNumber, settingsOrExit } from "./script-arguments";
import { temporaryFolder } from "../offline/interrupts";

const USAGE = `usage: npm run bench:sql -- [--mb MEGABYTES]

Generates an Interactions CSV (1024 MB unless --mb says otherwise), checks it with the stream engine and with the
DuckDB engine, each in a child process, and prints MB/s, their ratio and peak RSS. The file is removed at the end
and on Ctrl-C.`;

type Engine = "stream" | "duckdb";

interface Measurement {
    seconds: number;
    maxRssMb: number;
    rows: number;
    findings: number;
}

async function measureHere(engine: Engine, file: string): Promise<Measurement> {
    const started = process.hrtime.bigint();
    let rows: number;
    let findings: number;
    if (engine === "stream") {
        const report = await checkDataFiles([{ path: file, datasetType: "interactions" }]);
        [rows, findings] = [report.files[0].rows, report.files[0].problems.length];
    } else {
        const db = await openDuckDb();
        const files = [{ path: file, datasetType: "interactions" as const, size: statSync(file).size }];
        await db.load(files);
        const result = await checkWithSql(files, db);
        db.close();
        [rows, findings] = [result.files[0].rows, result.files[0].problems.length];
    }
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    return { seconds, maxRssMb: process.resourceUsage().maxRSS / 1024, rows, findings };
}

function measureInChild(engine: Engine, file: string): Measurement {
    const output = execFileSync(process.execPath, ["-r", "ts-node/register/transpile-only", __filename, "--child", engine, file], {
        encoding: "utf8",
        stdio: ["ignore", "pipe", "inherit"],
    });
    return JSON.parse(output) as Measurement;
}

async function main(): Promise<void> {
    const args = process.argv.slice(2);
    if (args[0] === "--child") {
        process.stdout.write(JSON.stringify(await measureHere(args[1] as Engine, args[2])));
        return;
    }
    const { megabytes } = settingsOrExit(
        parseScriptArguments(args, USAGE, { mb: { type: "string" } }, values => ({ megabytes: positiveNumber("mb", values.mb, 1024) })),
    );
    const folder = temporaryFolder("bench-sql-");
    const file = path.join(folder.dir, "interactions.csv");
    try {
        process.stdout.write(`generating ${megabytes} MB of interactions in ${folder.dir} … `);
        await generate(file, megabytes);
        const mb = statSync(file).size / 1024 ** 2;
        console.log(`${mb.toFixed(0)} MB (${os.cpus().length} cores, load average ${os.loadavg()[0].toFixed(1)})`);
        const best = (engine: Engine) => {
            const runs = [1, 2].map(() => measureInChild(engine, file));
            return { ...runs.reduce((a, b) => (b.seconds < a.seconds ? b : a)), maxRssMb: Math.max(...runs.map(r => r.maxRssMb)) };
        };
        const stream = best("stream");
        const duckdb = best("duckdb");
        for (const [name, m] of [
            ["stream", stream],
            ["duckdb", duckdb],
        ] as const)
            console.log(
                `${name.padEnd(7)} ${(mb / m.seconds).toFixed(1).padStart(8)} MB/s   ${m.seconds.toFixed(1)} s, ${m.rows} rows, ${m.findings} findings, peak RSS ${m.maxRssMb.toFixed(0)} MB`,
            );
        console.log(`duckdb / stream: ${(stream.seconds / duckdb.seconds).toFixed(2)}x`);
    } finally {
        folder.remove();
    }
}

main().catch((e: Error) => {
    console.error(e.message);
    process.exit(1);
});
