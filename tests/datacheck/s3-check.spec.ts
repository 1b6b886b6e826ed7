import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { execFile } from "node:child_process";
import { checkDataFiles, formatReport, type DataFile } from "../../datacheck";
import { main } from "../../datacheck/cli";
import { listS3 } from "../../datacheck/sources/s3-listing";
import { DENIED_ACCESS_KEY, S3TestServer } from "../harness/s3-server";
import { TempFolder } from "./temp-files";

const BUCKET = "checked-data";
const HEADER = "USER_ID,ITEM_ID,TIMESTAMP\n";

/** `rows` interactions of 25 users with 2 each at least, so the dataset's minimums hold. */
function interactions(rows: number, first = 0): string {
    return Array.from({ length: rows }, (_, i) => `user-${(first + i) % 40},item-${i % 7},1700000000\n`).join("");
}

describe("the data checker on S3 objects (against an S3 API server on loopback)", () => {
    let server: S3TestServer;
    let restore: () => void;
    let cacheDir: string;
    before(async () => {
        server = await S3TestServer.start();
        restore = server.useInProcess();
        await server.createBucket(BUCKET);
        cacheDir = fs.mkdtempSync(path.join(os.tmpdir(), "s3-check-cache-"));
    });
    after(async () => {
        restore();
        await server.stop();
        fs.rmSync(cacheDir, { recursive: true, force: true });
    });

    const filesOf = async (uri: string): Promise<DataFile[]> =>
        (await listS3(uri)).objects.map(o => ({ path: o.uri, datasetType: "interactions" as const }));

    it("checks a folder of part files as one dataset, with s3://bucket/key:line in every finding", async () => {
        const folder = "import/interactions/";
        await server.put(BUCKET, `${folder}part-00000.csv`, HEADER + interactions(600));
        await server.put(BUCKET, `${folder}part-00001.csv`, HEADER + interactions(400, 600) + "user-1,item-1,1700000000000\n");
        await server.put(BUCKET, `${folder}_SUCCESS`, "");
        const report = await checkDataFiles(await filesOf(`s3://${BUCKET}/${folder}`));
        assert.deepEqual(
            report.files.map(f => [f.path, f.rows]),
            [
                [`s3://${BUCKET}/${folder}part-00000.csv`, 600],
                [`s3://${BUCKET}/${folder}part-00001.csv`, 401],
            ],
        );
        assert.deepEqual(formatReport(report), [
            `s3://${BUCKET}/${folder}part-00001.csv:402: timestamp-milliseconds: TIMESTAMP 1700000000000 is in milliseconds: divide by 1000 (Unix epoch seconds)`,
        ]);
    });

    it("reads an object over 64 MB in ranges on two threads, with the findings and line numbers of the same local file", async () => {
        // Rows of one length, so that line numbers are easy to tell; three bad rows: near the start, just past the
        // middle (where the engine splits), and at the end.
        const row = "user-1,item-1,1700000000\n";
        const half = Math.ceil((33 * 1024 * 1024) / row.length);
        const bad = (user: number) => `user-${user},item-1,1700000000000\n`;
        const bytes = Buffer.concat([
            Buffer.from(HEADER + interactions(50) + bad(2)),
            Buffer.alloc(half * row.length, row),
            Buffer.from(bad(3)),
            Buffer.alloc(half * row.length, row),
            Buffer.from(bad(4) + "user-5,item-5\n"),
        ]);
        assert.ok(bytes.length > 64 * 1024 * 1024);
        const temp = new TempFolder();
        try {
            const local = temp.write("interactions.csv", bytes);
            await server.put(BUCKET, "large/interactions.csv", bytes);
            const uri = `s3://${BUCKET}/large/interactions.csv`;
            await listS3(uri);
            server.forgetRequests();
            const [fromS3, fromDisk] = [
                await checkDataFiles([{ path: uri, datasetType: "interactions" }], { threads: 2 }),
                await checkDataFiles([{ path: local, datasetType: "interactions" }], { threads: 2 }),
            ];
            assert.equal(fromS3.files[0].threads, 2);
            assert.equal(fromS3.files[0].rows, fromDisk.files[0].rows);
            const lines = (r: typeof fromS3, name: string) => formatReport(r).map(line => line.split(name).join("<file>"));
            assert.deepEqual(lines(fromS3, uri), lines(fromDisk, local));
            assert.deepEqual(lines(fromS3, uri).slice(0, 2), [
                `<file>:52: timestamp-milliseconds: TIMESTAMP 1700000000000 is in milliseconds: divide by 1000 (Unix epoch seconds) (3 rows: lines 52, ${(53 + half).toLocaleString("en-US")}, ${(54 + 2 * half).toLocaleString("en-US")})`,
                `<file>:${55 + 2 * half}: field-count: expected 3 fields as in the header, found 2; quote values that contain commas ("a,b")`,
            ]);
            // Every byte came through ranged GETs, several at once, and none read twice over by the engine's two threads.
            const gets = server.requests.filter(r => r.method === "GET" && r.range);
            assert.equal(gets.length, server.requests.filter(r => r.method === "GET").length);
            assert.ok(server.maxConcurrentGets > 1);
        } finally {
            temp.remove();
        }
    });

    it("keeps results by bucket, key, size and ETag: an unchanged object is not read again, a rewritten one is", async () => {
        const folder = "cached/interactions/";
        await server.put(BUCKET, `${folder}a.csv`, HEADER + interactions(600));
        await server.put(BUCKET, `${folder}b.csv`, HEADER + interactions(600, 3));
        const run = async () => {
            server.forgetRequests();
            const report = await checkDataFiles(await filesOf(`s3://${BUCKET}/${folder}`), { cacheDir });
            const read = new Set(server.requests.filter(r => r.method === "GET" && r.range).map(r => r.url.split("?")[0]));
            return { cached: report.files.map(f => f.cached), read: [...read].sort(), ok: report.ok };
        };
        const keyPath = (name: string) => `/${BUCKET}/${folder}${name}`;
        assert.deepEqual(await run(), { cached: [false, false], read: [keyPath("a.csv"), keyPath("b.csv")], ok: true });
        assert.deepEqual(await run(), { cached: [true, true], read: [], ok: true });
        // The same size, other bytes: only the ETag tells.
        await server.put(BUCKET, `${folder}b.csv`, HEADER + interactions(600, 4));
        assert.deepEqual(await run(), { cached: [true, false], read: [keyPath("b.csv")], ok: true });
        assert.deepEqual(await run(), { cached: [true, true], read: [], ok: true });
    });

    describe("npm run check-data -- s3://bucket/prefix/", () => {
        /** The command in this process; `tty` stands for stderr when it is a terminal. */
        /** The command in this process; `progress` receives what it writes to stderr as progress, a terminal when `isTTY`. */
        async function checkData(args: string[], isTTY = false) {
            const stdout: string[] = [];
            const stderr: string[] = [];
            const progress: string[] = [];
            const status = await main(
                args,
                { log: line => stdout.push(line), error: line => stderr.push(line) },
                { isTTY, write: (text: string) => progress.push(text) },
            );
            return { status, stdout, stderr, progress };
        }

        before(async () => {
            await server.put(BUCKET, "cli/interactions/part-00000.csv", HEADER + interactions(600));
            await server.put(BUCKET, "cli/interactions/part-00001.csv", HEADER + interactions(500, 5) + "user-1,item-1\n");
            await server.put(BUCKET, "cli/interactions/_SUCCESS", "");
            await server.put(BUCKET, "cli/export/part-00000.csv", "ITEM_ID,GENRE\nitem-1,comedy\n");
        });

        it("reports s3://bucket/key:line findings, warns of leftovers, shows progress on a terminal only, and exits 1", async () => {
            const result = await checkData([`s3://${BUCKET}/cli/interactions/`], true);
            const tty = result.progress;
            assert.equal(result.status, 1);
            assert.deepEqual(result.stdout.slice(0, 2), [
                `s3://${BUCKET}/cli/interactions/part-00001.csv:502: field-count: expected 3 fields as in the header, found 2; quote values that contain commas ("a,b")`,
                `s3://${BUCKET}/cli/interactions/part-00000.csv: interactions, 600 rows, 40 users, 7 items, 0.0 MB` +
                    result.stdout[1].slice(result.stdout[1].indexOf(" MB") + 3),
            ]);
            assert.match(result.stdout[1], /, 0\.0 MB, [\d.]+ MB\/s$/);
            assert.deepEqual(result.stderr, [
                `warning: s3://${BUCKET}/cli/interactions/_SUCCESS: a job's success marker (Hadoop, Spark), not data; Personalize's documentation ` +
                    "doesn't say that an import skips it. Turn it off (Spark: mapreduce.fileoutputcommitter.marksuccessfuljobs=false) or delete it once the job is done",
            ]);
            assert.deepEqual(
                tty.filter(t => t.includes("checking")),
                [
                    `\r\x1b[Kchecking 1/2: s3://${BUCKET}/cli/interactions/part-00000.csv (0.0 MB)`,
                    `\r\x1b[Kchecking 2/2: s3://${BUCKET}/cli/interactions/part-00001.csv (0.0 MB)`,
                ],
            );
            assert.equal(tty[tty.length - 1], "\r\x1b[K", "the line is cleared before the report");
            const piped = await checkData([`s3://${BUCKET}/cli/interactions/`]);
            assert.deepEqual([piped.status, piped.progress], [1, []], "no progress where stderr is not a terminal");
        });

        it("takes the dataset from --type for a folder or an object, and exits 0 on clean data", async () => {
            const noType = await checkData([`s3://${BUCKET}/cli/export/`]);
            assert.deepEqual(
                [noType.status, noType.stderr],
                [
                    2,
                    [
                        `check-data: cannot tell the dataset type of s3://${BUCKET}/cli/export/part-00000.csv: put it in a folder named after its dataset ` +
                            `(…/interactions/), or pass --type s3://${BUCKET}/cli/export/=interactions`,
                    ],
                ],
            );
            for (const given of [`s3://${BUCKET}/cli/export/`, `s3://${BUCKET}/cli/export/part-00000.csv`]) {
                const typed = await checkData([`s3://${BUCKET}/cli/export/`, "--type", `${given}=items`]);
                assert.equal(typed.status, 0, typed.stdout.join("\n"));
                assert.match(typed.stdout[0], new RegExp(`^s3://${BUCKET}/cli/export/part-00000\\.csv: items, 1 row, 0\\.0 MB`));
            }
        });

        it("says an empty prefix (exit 2), and no bucket, access denied or no credentials (exit 3) in one line", async () => {
            const empty = await checkData([`s3://${BUCKET}/nothing-here/`]);
            assert.deepEqual(
                [empty.status, empty.stderr],
                [
                    2,
                    [
                        `check-data: s3://${BUCKET}/nothing-here/: no data objects under this prefix; check the bucket and folder, or run the pipeline that writes it first`,
                    ],
                ],
            );
            const missing = await checkData(["s3://no-such-bucket-here/import/"]);
            assert.deepEqual(
                [missing.status, missing.stderr],
                [
                    3,
                    [
                        'check-data: s3://no-such-bucket-here/import/: no bucket named "no-such-bucket-here" (NoSuchBucket): check the name, and that your credentials are for its account and partition',
                    ],
                ],
            );
            const denied = server.useInProcess(server.env(DENIED_ACCESS_KEY));
            try {
                const refused = await checkData([`s3://${BUCKET}/cli/interactions/`]);
                assert.deepEqual([refused.status, refused.stderr.length], [3, 1]);
                assert.match(refused.stderr[0], /^check-data: s3:\/\/checked-data\/cli\/interactions\/: access denied to s3:ListBucket/);
            } finally {
                denied();
            }
            const none = server.useInProcess({
                AWS_ACCESS_KEY_ID: undefined,
                AWS_SECRET_ACCESS_KEY: undefined,
                AWS_SHARED_CREDENTIALS_FILE: "/nonexistent/credentials",
                AWS_CONFIG_FILE: "/nonexistent/config",
            });
            try {
                const noCredentials = await checkData([`s3://${BUCKET}/cli/interactions/`]);
                assert.equal(noCredentials.status, 3);
                assert.match(noCredentials.stderr[0], /^check-data: s3:\/\/checked-data\/cli\/interactions\/: no AWS credentials: /);
            } finally {
                none();
            }
        });

        it("runs as its own process with the SDK's environment (npm run check-data)", async () => {
            // Started without blocking this process, which serves the S3 API the command reads.
            const result = await new Promise<{ code: number | null; stdout: string; stderr: string }>(resolve => {
                const child = execFile(
                    process.execPath,
                    ["-r", "ts-node/register/transpile-only", "datacheck/cli.ts", `s3://${BUCKET}/cli/interactions/part-00001.csv`],
                    { cwd: path.join(__dirname, "..", ".."), encoding: "utf8", env: { ...process.env, ...server.env() } },
                    (_error, stdout, stderr) => resolve({ code: child.exitCode, stdout, stderr }),
                );
            });
            assert.equal(result.code, 1, result.stderr);
            assert.equal(
                result.stdout.split("\n")[0],
                `s3://${BUCKET}/cli/interactions/part-00001.csv:502: field-count: expected 3 fields as in the header, found 2; quote values that contain commas ("a,b")`,
            );
        });
    });
});
