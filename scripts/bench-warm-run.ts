/**
 * Benchmark of a run of the program on unchanged data (not a test). Generates a data folder of about 1 GB
 * (Interactions, Items and Users that the `import` stack's schemas accept; `--mb N` for quick runs) in the temp
 * folder, then runs the real program (index.ts, stack `import`, `datasetGroup` set, preview, under the offline mocks)
 * on it and on the sample data in data/: once each to fill the data-check cache (the first run on the big folder
 * checks and hashes every byte, and its time is printed too), then `--runs` warm runs of each, alternating, and
 * prints the best warm run of each and their ratio (goal: at most 1.3×), in wall time and in CPU time (which other
 * processes on a shared machine disturb less). Both are measured in the process that runs the program
 * (offline/program-child.ts: from loading index.ts to its outputs). Removes the folder and its cache entries at the
 * end, on Ctrl-C too.
 *
 *   npm run bench:warm-run -- [--mb 1024] [--runs 5]
 */
import { promises as fs } from "node:fs";
import * as path from "node:path";
import { ResultCache } from "../datacheck";
import { DEFAULT_ACCOUNT } from "../offline/aws-mocks";
import { PROJECT_DIR, projectName, runJob, stackConfig } from "../offline/program";
import { parseScriptArguments, positiveNumber, settingsOrExit } from "./script-arguments";
import { temporaryFolder } from "../offline/interrupts";

const USAGE = `usage: npm run bench:warm-run -- [--mb MEGABYTES] [--runs N]

Times a warm run of the program (stack import, preview, offline mocks) on an unchanged data folder of
MEGABYTES (default 1024) against one on the sample data in data/, and prints both and their ratio,
in wall time and in CPU time.

  --mb MEGABYTES   size of the generated data folder (default 1024)
  --runs N         warm runs of each, the best counts (default 7)
  --help           this text`;

export function parseWarmRunArguments(argv: string[]) {
    return parseScriptArguments(argv, USAGE, { mb: { type: "string" }, runs: { type: "string" } }, values => ({
        megabytes: positiveNumber("mb", values.mb, 1024),
        runs: positiveNumber("runs", values.runs, 7, true),
    }));
}

const USERS = 200_000;
const ITEMS = 50_000;
const EVENTS = ["click", "watch", "purchase"];
const TIERS = ["free", "standard", "premium"];
const GENRES = ["Action", "Comedy", "Drama", "Documentary", "Horror"];

/** Writes `line(i)` for i = 0, 1, … (`count` lines, or until the file has `bytes`) in chunks, awaiting each, so Ctrl-C is heard. */
async function writeLines(file: string, header: string, size: { count: number } | { bytes: number }, line: (i: number) => string) {
    const handle = await fs.open(file, "w");
    try {
        let written = (await handle.write(`${header}\n`)).bytesWritten;
        const count = "count" in size ? size.count : Infinity;
        const bytes = "bytes" in size ? size.bytes : Infinity;
        for (let i = 0; i < count && written < bytes;) {
            let chunk = "";
            for (const end = Math.min(i + 20_000, count); i < end; i++) chunk += `${line(i)}\n`;
            written += (await handle.write(chunk)).bytesWritten;
        }
        return written;
    } finally {
        await handle.close();
    }
}

/** A valid data folder: every user and item of the interactions in Users and Items, each user with many interactions. */
export async function generate(dir: string, megabytes: number): Promise<void> {
    const userBytes = await writeLines(
        path.join(dir, "users.csv"),
        "USER_ID,MEMBERSHIP",
        { count: USERS },
        i => `user${i},${TIERS[i % 3]}`,
    );
    const itemBytes = await writeLines(
        path.join(dir, "items.csv"),
        "ITEM_ID,GENRES,CREATION_TIMESTAMP",
        { count: ITEMS },
        i => `item${i},${GENRES[i % 5]}|${GENRES[(i * 3 + 1) % 5]},${1_700_000_000 - i}`,
    );
    await writeLines(
        path.join(dir, "interactions.csv"),
        "USER_ID,ITEM_ID,TIMESTAMP,EVENT_TYPE",
        { bytes: megabytes * 1024 ** 2 - userBytes - itemBytes },
        i => `user${(i * 7919) % USERS},item${(i * 104_729) % ITEMS},${1_700_000_000 + (i >> 4)},${EVENTS[i % 3]}`,
    );
}

/** One run of the program on `dataDir` (the stack's own when undefined); its wall and CPU time in milliseconds. */
async function programRun(dataDir?: string): Promise<{ wall: number; cpu: number }> {
    const project = projectName();
    const config = stackConfig("import");
    if (dataDir) config[`${project}:dataDir`] = dataDir;
    const run = await runJob({ projectDir: PROJECT_DIR, project, stack: "import", preview: true, account: DEFAULT_ACCOUNT, config });
    if (run.error) throw new Error(`the program failed: ${run.error}`);
    return { wall: run.programMs, cpu: run.programCpuMs };
}

async function main(): Promise<void> {
    const { megabytes, runs } = settingsOrExit(parseWarmRunArguments(process.argv.slice(2)));
    const folder = temporaryFolder("bench-warm-run-");
    const dir = folder.dir;
    const cache = new ResultCache(path.join(PROJECT_DIR, ".cache", "data-check"));
    try {
        process.stdout.write(`generating ${megabytes} MB of data in ${dir} … `);
        await generate(dir, megabytes);
        const files = await fs.readdir(dir);
        const bytes = (await Promise.all(files.map(f => fs.stat(path.join(dir, f))))).reduce((sum, s) => sum + s.size, 0);
        console.log(`${(bytes / 1024 ** 2).toFixed(0)} MB in ${files.join(", ")}`);

        const cold = await programRun(dir);
        await programRun();
        console.log(`cold run on the folder (checks and hashes every byte): ${(cold.wall / 1000).toFixed(1)} s`);
        const big: Array<{ wall: number; cpu: number }> = [];
        const sample: Array<{ wall: number; cpu: number }> = [];
        for (let i = 0; i < runs; i++) {
            big.push(await programRun(dir));
            sample.push(await programRun());
        }
        const size = `${(bytes / 1024 ** 2).toFixed(0)} MB folder`;
        for (const clock of ["wall", "cpu"] as const) {
            const best = (times: Array<{ wall: number; cpu: number }>) => Math.min(...times.map(t => t[clock]));
            const ratio = best(big) / best(sample);
            console.log(
                `warm run, ${clock === "wall" ? "wall time" : "CPU time "} (best of ${runs}): ${size} ${best(big).toFixed(0)} ms, ` +
                    `sample data ${best(sample).toFixed(0)} ms, ratio ${ratio.toFixed(2)}x (goal <= 1.3x)${ratio <= 1.3 ? "" : "  MISSED"}`,
            );
        }
    } finally {
        for (const file of await fs.readdir(dir).catch(() => [])) await cache.forget(path.join(dir, file));
        folder.remove();
    }
}

if (require.main === module) {
    main().then(
        // The program process is kept for more runs; nothing more will come.
        () => process.exit(0),
        (e: Error) => {
            console.error(e.message);
            process.exit(1);
        },
    );
}
