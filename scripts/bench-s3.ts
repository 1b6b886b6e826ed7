/**
 * Benchmark of data that lives in S3 (not a test), against an S3 API server on loopback (s3rver, as the tests use
 * it): generates the data folder of `bench-warm-run.ts` (about 1 GB: Interactions, Items and Users the `import`
 * stack's schemas accept; `--mb N` for quick runs), puts each file into the server as `import/<type>/part-00000.csv`,
 * then, in one run:
 * - checks the Interactions file from the local disk and the same object from S3, alternating, each in a child
 *   process (so its peak RSS is its own), and prints the best MB/s of each, their ratio and the peak RSS; and reads
 *   the object through the S3 source alone, nothing checked, for what the server gives at most;
 * - runs the real program (stack `import`, `dataSource: s3`, preview, offline mocks) on that bucket: once to fill the
 *   data-check cache, then `--runs` warm runs, and prints the cold run and the best warm run.
 * The server runs in this process and serves both, so the figures are for this machine's loopback and CPU, shared
 * with the server. Removes the folder, the server's objects and their cache entries at the end.
 *
 *   npm run bench:s3 -- [--mb 1024] [--runs 3]
 */
import { execFile } from "node:child_process";
import { createReadStream, promises as fs } from "node:fs";
import * as path from "node:path";
import { PutObjectCommand } from "@aws-sdk/client-s3";
import { checkDataFiles, ResultCache } from "../datacheck";
import { openSource } from "../datacheck/sources/source";
import { DEFAULT_ACCOUNT } from "../offline/aws-mocks";
import { PROJECT_DIR, projectName, runJob, stackConfig } from "../offline/program";
import { S3TestServer } from "../tests/harness/s3-server";
import { generate } from "./bench-warm-run";
import { parseScriptArguments, positiveNumber, settingsOrExit } from "./script-arguments";
import { temporaryFolder } from "../offline/interrupts";

const USAGE = `usage: npm run bench:s3 -- [--mb MEGABYTES] [--runs N]

Times, against an S3 API server on loopback, a check of the Interactions object (local file against S3
object, MB/s) and warm previews of the program with dataSource s3 on the unchanged folder.

  --mb MEGABYTES   size of the generated data (default 1024)
  --runs N         runs of each, the best counts (default 3)
  --help           this text`;

const BUCKET = "bench-personalize-data";
const TYPES = ["interactions", "items", "users"] as const;

interface Check {
    seconds: number;
    maxRssMb: number;
    rows: number;
}

/** In the child: `name` read through its source, start to end, and nothing checked: what the store serves at most. */
async function readHere(name: string): Promise<Check> {
    const started = process.hrtime.bigint();
    const reader = await openSource(name);
    const buf = Buffer.allocUnsafe(2 << 20);
    try {
        for (let position = 0, n = 1; n > 0; position += n) n = await reader.read(buf, 0, buf.length, position);
    } finally {
        await reader.close();
    }
    return { seconds: Number(process.hrtime.bigint() - started) / 1e9, maxRssMb: process.resourceUsage().maxRSS / 1024, rows: 0 };
}

/** In the child: one check of `name` (a file or an s3:// object), cache off. */
async function checkHere(name: string): Promise<Check> {
    const started = process.hrtime.bigint();
    const report = await checkDataFiles([{ path: name, datasetType: "interactions" }]);
    if (!report.files[0] || report.files[0].problems.length > 0) throw new Error(`the check of ${name} found problems`);
    return {
        seconds: Number(process.hrtime.bigint() - started) / 1e9,
        maxRssMb: process.resourceUsage().maxRSS / 1024,
        rows: report.files[0].rows,
    };
}

/** A check (or a read) in a child process, with `env` (the server's endpoint and credentials); asynchronous, as this process serves S3. */
function checkInChild(name: string, env: Record<string, string>, mode = "--child"): Promise<Check> {
    return new Promise((resolve, reject) =>
        execFile(
            process.execPath,
            ["-r", "ts-node/register/transpile-only", __filename, mode, name],
            { env: { ...process.env, ...env }, encoding: "utf8", maxBuffer: 1 << 20 },
            (error, stdout, stderr) => (error ? reject(new Error(`${error.message}\n${stderr}`)) : resolve(JSON.parse(stdout) as Check)),
        ),
    );
}

async function main(): Promise<void> {
    const argv = process.argv.slice(2);
    if (argv[0] === "--child" || argv[0] === "--read") {
        process.stdout.write(JSON.stringify(await (argv[0] === "--read" ? readHere : checkHere)(argv[1])));
        return;
    }
    const { megabytes, runs } = settingsOrExit(
        parseScriptArguments(argv, USAGE, { mb: { type: "string" }, runs: { type: "string" } }, values => ({
            megabytes: positiveNumber("mb", values.mb, 1024),
            runs: positiveNumber("runs", values.runs, 3, true),
        })),
    );
    // The SDK's notice about Node 22 (README: the SDK is pinned), once per process, would be printed among the figures.
    process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = "true";
    const folder = temporaryFolder("bench-s3-");
    const server = await S3TestServer.start();
    const cache = new ResultCache(path.join(PROJECT_DIR, ".cache", "data-check"));
    const uri = (type: string) => `s3://${BUCKET}/import/${type}/part-00000.csv`;
    try {
        process.stdout.write(`generating ${megabytes} MB of data in ${folder.dir} … `);
        await generate(folder.dir, megabytes);
        const local = path.join(folder.dir, "interactions.csv");
        const mb = (await fs.stat(local)).size / 1024 ** 2;
        console.log(`interactions.csv ${mb.toFixed(0)} MB`);
        process.stdout.write(`putting the files into ${server.endpoint}/${BUCKET}/import/<type>/ … `);
        await server.createBucket(BUCKET);
        for (const type of TYPES) {
            const file = path.join(folder.dir, `${type}.csv`);
            const { size } = await fs.stat(file);
            await server.client().send(
                new PutObjectCommand({
                    Bucket: BUCKET,
                    Key: `import/${type}/part-00000.csv`,
                    Body: createReadStream(file),
                    ContentLength: size,
                }),
            );
        }
        console.log("done");

        const fromDisk: Check[] = [];
        const fromS3: Check[] = [];
        const readS3: Check[] = [];
        for (let i = 0; i < runs; i++) {
            fromDisk.push(await checkInChild(local, {}));
            fromS3.push(await checkInChild(uri("interactions"), server.env()));
            readS3.push(await checkInChild(uri("interactions"), server.env(), "--read"));
        }
        const best = (checks: Check[]) => checks.reduce((a, b) => (a.seconds < b.seconds ? a : b));
        const rate = (c: Check) => mb / c.seconds;
        for (const [name, checks] of [
            ["local file", fromDisk],
            ["S3 object", fromS3],
        ] as const)
            console.log(
                `check of ${mb.toFixed(0)} MB, ${name.padEnd(10)} ${rate(best(checks)).toFixed(1).padStart(7)} MB/s (best of ${runs}, ` +
                    `${best(checks).rows.toLocaleString("en-US")} rows), peak RSS ${Math.max(...checks.map(c => c.maxRssMb)).toFixed(0)} MB`,
            );
        console.log(`S3 / local: ${((100 * rate(best(fromS3))) / rate(best(fromDisk))).toFixed(0)} %`);
        // What the server gives one reader with nothing checked: the ceiling of an S3 check on this server.
        console.log(
            `read of the S3 object alone (ranged GETs, one thread, no check): ${rate(best(readS3)).toFixed(1)} MB/s; ` +
                `S3 check / read alone: ${((100 * rate(best(fromS3))) / rate(best(readS3))).toFixed(0)} %`,
        );

        const project = projectName();
        const config = stackConfig("import");
        delete config[`${project}:dataDir`];
        Object.assign(config, {
            [`${project}:dataSource`]: "s3",
            [`${project}:s3Datasets`]: JSON.stringify(TYPES),
            [`${project}:bucketName`]: BUCKET,
            "aws:endpoints": JSON.stringify([{ s3: server.endpoint }]),
            "aws:accessKey": server.env().AWS_ACCESS_KEY_ID,
            "aws:secretKey": server.env().AWS_SECRET_ACCESS_KEY,
        });
        const preview = async () => {
            server.forgetRequests();
            const run = await runJob({
                projectDir: PROJECT_DIR,
                project,
                stack: "import",
                preview: true,
                account: DEFAULT_ACCOUNT,
                config,
            });
            if (run.error) throw new Error(`the program failed: ${run.error}`);
            const gets = server.requests.filter(r => r.method === "GET" && r.range).length;
            return { ms: run.programMs, requests: server.requests.length, gets };
        };
        const cold = await preview();
        console.log(`preview, cold (checks every object): ${(cold.ms / 1000).toFixed(1)} s, ${cold.requests} requests`);
        const warm = [];
        for (let i = 0; i < runs; i++) warm.push(await preview());
        const fastest = warm.reduce((a, b) => (a.ms < b.ms ? a : b));
        console.log(
            `preview, warm (unchanged ${megabytes} MB dataset, best of ${runs}): ${fastest.ms.toFixed(0)} ms, ` +
                `${fastest.requests} requests to S3 (${fastest.gets} GETs of object bytes)`,
        );
    } finally {
        for (const type of TYPES) await cache.forget(uri(type));
        await server.stop();
        folder.remove();
    }
}

if (require.main === module) {
    main().then(
        () => process.exit(0),
        (e: Error) => {
            console.error(e.message);
            process.exit(1);
        },
    );
}
