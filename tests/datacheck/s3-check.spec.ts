import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { checkDataFiles, formatReport, type DataFile } from "../../datacheck";
import { listS3 } from "../../datacheck/sources/s3-listing";
import { S3TestServer } from "../harness/s3-server";
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
                await checkDataFiles([{ path: uri, datasetType: "interactions" }]),
                await checkDataFiles([{ path: local, datasetType: "interactions" }]),
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
});
