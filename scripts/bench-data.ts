/**
 * Benchmark of the data check (not a test): generates a deterministic Interactions CSV (1 GB by default; `--mb N`
 * or BENCH_DATA_MB=N for quick runs) in a temporary folder (removed at the end, on Ctrl-C too), then times `wc -l`,
 * checkDataFiles (cache off, every core), udsv (the fastest JavaScript CSV parser, on one thread; it only parses, it
 * checks nothing) and the same rules on csv-parse (tests/datacheck/csv-parse-oracle.ts), each in a child process so
 * its peak RSS is its own. `wc -l`, our checker and udsv take the best of 3 runs (they take seconds, and a shared
 * machine is noisy); csv-parse runs once (minutes). Prints MB/s, the ratios, peak RSS and the threads used, MISSED
 * beside a goal not met, and deletes the file. The default 1 GB run writes 1 GB to the temp folder and takes
 * minutes; use --mb while iterating.
 *
 *   npm run bench:data -- [--mb 200]
 */
import { execFileSync } from "child_process";
import { createReadStream, promises as fs, statSync } from "fs";
import * as os from "os";
import * as path from "path";
import { checkDataFiles } from "../datacheck";
import { checkWithCsvParse } from "../tests/datacheck/csv-parse-oracle";
import { parseScriptArguments, positiveNumber, settingsOrExit } from "./script-arguments";
import { temporaryFolder } from "../offline/interrupts";
import { Parser, inferSchema, initParser } from "udsv";

const USAGE = `usage: npm run bench:data -- [--mb MEGABYTES]

Generates an Interactions CSV of MEGABYTES (default 1024, or BENCH_DATA_MB) in the temp folder and times
wc -l, the data checker, udsv (parse only) and the same rules on csv-parse on it, in one run.

  --mb MEGABYTES   size of the generated file
  --help           this text`;

export function parseBenchDataArguments(argv: string[], env: NodeJS.ProcessEnv = {}) {
    return parseScriptArguments(argv, USAGE, { mb: { type: "string" } }, values => ({
        megabytes: positiveNumber(
            values.mb === undefined && env.BENCH_DATA_MB !== undefined ? "BENCH_DATA_MB" : "mb",
            values.mb ?? env.BENCH_DATA_MB,
            1024,
        ),
    }));
}

type Checker = "ours" | "udsv" | "csv-parse";

interface Measurement {
    seconds: number;
    maxRssMb: number;
    rows: number;
    problems: number;
    threads?: number;
}

/**
 * Interactions rows from a fixed-seed xorshift generator: 200,000 users, 50,000 items, a few event types. Written a
 * chunk at a time with a wait on each, so that Ctrl-C is heard while it writes.
 */
export async function generate(file: string, megabytes: number): Promise<void> {
    const EVENTS = ["click", "view", "purchase", "add_to_cart"];
    let state = 0x2545f491;
    const next = () => {
        state ^= state << 13;
        state ^= state >>> 17;
        state ^= state << 5;
        return state >>> 0;
    };
    const handle = await fs.open(file, "w");
    try {
        const target = megabytes * 1024 * 1024;
        let written = (await handle.write("USER_ID,ITEM_ID,TIMESTAMP,EVENT_TYPE,EVENT_VALUE\n")).bytesWritten;
        let timestamp = 1_600_000_000;
        while (written < target) {
            const lines: string[] = [];
            for (let i = 0; i < 50_000; i++) {
                timestamp += next() % 3;
                const r = next();
                lines.push(`user_${r % 200_000},item_${next() % 50_000},${timestamp},${EVENTS[r & 3]},${(next() % 500) / 100}\n`);
            }
            written += (await handle.write(lines.join(""))).bytesWritten;
        }
    } finally {
        await handle.close();
    }
}

async function measureHere(checker: Checker, file: string): Promise<Measurement> {
    const started = process.hrtime.bigint();
    let rows: number;
    let problems: number;
    let threads: number | undefined;
    if (checker === "ours") {
        const report = await checkDataFiles([{ path: file, datasetType: "interactions" }]);
        rows = report.files[0].rows;
        problems = report.files[0].problems.length + report.problems.length;
        threads = report.files[0].threads;
    } else if (checker === "udsv") {
        rows = await parseWithUdsv(file);
        problems = 0;
    } else {
        const result = await checkWithCsvParse({ path: file, datasetType: "interactions" });
        rows = result.rows;
        problems = result.problems.length;
    }
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    return { seconds, maxRssMb: process.resourceUsage().maxRSS / 1024, rows, problems, threads };
}

/** Parses the file with udsv's streaming API into string arrays, one row at a time, and counts the rows. */
async function parseWithUdsv(file: string): Promise<number> {
    let parser: Parser | undefined;
    let rows = 0;
    for await (const chunk of createReadStream(file, { encoding: "utf8", highWaterMark: 1 << 20 }) as AsyncIterable<string>) {
        parser ??= initParser(inferSchema(chunk));
        parser.chunk<string[]>(chunk, parser.stringArrs, () => {
            rows++;
        });
    }
    parser?.end();
    return rows;
}

function measureInChild(checker: Checker, file: string): Measurement {
    const output = execFileSync(process.execPath, ["-r", "ts-node/register/transpile-only", __filename, "--child", checker, file], {
        encoding: "utf8",
        stdio: ["ignore", "pipe", "inherit"],
    });
    return JSON.parse(output) as Measurement;
}

function timeWcLines(file: string): number {
    const started = process.hrtime.bigint();
    execFileSync("wc", ["-l", file], { stdio: "ignore" });
    return Number(process.hrtime.bigint() - started) / 1e9;
}

async function main(): Promise<void> {
    const args = process.argv.slice(2);
    if (args[0] === "--child") {
        process.stdout.write(JSON.stringify(await measureHere(args[1] as Checker, args[2])));
        return;
    }
    const { megabytes } = settingsOrExit(parseBenchDataArguments(args, process.env));

    const folder = temporaryFolder("bench-data-");
    const dir = folder.dir;
    const file = path.join(dir, "interactions.csv");
    try {
        process.stdout.write(`generating ${megabytes} MB of interactions in ${dir} … `);
        await generate(file, megabytes);
        const mb = statSync(file).size / (1024 * 1024);
        console.log(`${mb.toFixed(0)} MB`);

        timeWcLines(file); // warm the page cache so every contender reads from memory
        const wc = mb / Math.min(...[1, 2, 3].map(() => timeWcLines(file)));
        const bestOf3 = (checker: Checker) => {
            const runs = [1, 2, 3].map(() => measureInChild(checker, file));
            return { ...runs.reduce((best, m) => (m.seconds < best.seconds ? m : best)), maxRssMb: Math.max(...runs.map(m => m.maxRssMb)) };
        };
        const ours = bestOf3("ours");
        const udsv = bestOf3("udsv");
        const csvParse = measureInChild("csv-parse", file);
        const oursRate = mb / ours.seconds;
        const udsvRate = mb / udsv.seconds;
        const csvRate = mb / csvParse.seconds;

        const row = (name: string, rate: number, m?: Measurement) =>
            console.log(
                `${name.padEnd(10)} ${rate.toFixed(1).padStart(9)} MB/s${m ? `   ${m.seconds.toFixed(2)} s, ${m.rows} rows, ${m.problems} problems, peak RSS ${m.maxRssMb.toFixed(0)} MB` : ""}`,
            );
        row("wc -l", wc);
        row("ours", oursRate, ours);
        row("udsv", udsvRate, udsv);
        row("csv-parse", csvRate, csvParse);
        // MISSED marks a goal the run did not meet, so a regression stands out in a log.
        const goal = (met: boolean, text: string) => `(goal ${text})${met ? "" : "  MISSED"}`;
        console.log(`ours / csv-parse: ${(oursRate / csvRate).toFixed(1)}x ${goal(oursRate / csvRate >= 20, ">= 20x")}`);
        console.log(`ours / udsv:      ${(oursRate / udsvRate).toFixed(1)}x ${goal(oursRate / udsvRate >= 2, ">= 2x")}`);
        console.log(`ours / wc -l:     ${((100 * oursRate) / wc).toFixed(1)} % ${goal(oursRate / wc >= 0.05, ">= 5 %")}`);
        console.log(`ours peak RSS:    ${ours.maxRssMb.toFixed(0)} MB ${goal(ours.maxRssMb <= 200, "<= 200 MB")}`);
        console.log(`ours threads:     ${ours.threads} (os.availableParallelism() = ${os.availableParallelism()})`);
    } finally {
        folder.remove();
    }
}

if (require.main === module) {
    main().catch((e: Error) => {
        console.error(e.message);
        process.exit(1);
    });
}
