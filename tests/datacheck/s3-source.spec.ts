import * as assert from "node:assert/strict";
import * as path from "node:path";
import { openSource } from "../../datacheck/sources/source";
import { leftoverWarning, listS3, noDataMessage } from "../../datacheck/sources/s3-listing";
import { PART_BYTES, PARTS_AHEAD } from "../../datacheck/sources/s3-object";
import { DENIED_ACCESS_KEY, S3TestServer } from "../harness/s3-server";
import { TempFolder } from "./temp-files";

const BUCKET = "pipeline-data";
const HEADER = "USER_ID,ITEM_ID,TIMESTAMP\n";

describe("S3 sources (against an S3 API server on loopback)", () => {
    let server: S3TestServer;
    let restore: () => void;
    before(async () => {
        server = await S3TestServer.start();
        restore = server.useInProcess();
        await server.createBucket(BUCKET);
    });
    after(async () => {
        restore();
        await server.stop();
    });

    it("lists a folder's part files with size and ETag, and names what a pipeline left beside them", async () => {
        const folder = "import/interactions/";
        const parts = ["part-00000-c000.csv", "part-00001-c000.csv", "part-00002-c000.csv"];
        for (const [i, name] of parts.entries()) await server.put(BUCKET, folder + name, `${HEADER}u${i},i${i},1700000000\n`);
        for (const leftover of [
            "_SUCCESS",
            ".part-00000-c000.csv.crc",
            "_committed_123",
            "_started_123",
            "",
            "old/part-0.csv",
            "old/part-1.csv",
        ])
            await server.put(BUCKET, folder + leftover, leftover.startsWith("_") || leftover === "" ? "" : "x");
        await server.put(BUCKET, "import/interactions-old/part-0.csv", "not in the folder");

        const listing = await listS3(`s3://${BUCKET}/${folder}`);
        assert.deepEqual(
            listing.objects.map(o => [o.uri, o.size]),
            parts.map(name => [`s3://${BUCKET}/${folder}${name}`, HEADER.length + 17]),
        );
        assert.match(listing.objects[0].etag, /^"[0-9a-f]{32}"$/);
        assert.deepEqual(
            listing.leftovers.map(l => [l.kind, l.uri, l.objects]),
            [
                ["folder-marker", `s3://${BUCKET}/${folder}`, undefined],
                ["checksum-file", `s3://${BUCKET}/${folder}.part-00000-c000.csv.crc`, undefined],
                ["success-marker", `s3://${BUCKET}/${folder}_SUCCESS`, undefined],
                ["commit-marker", `s3://${BUCKET}/${folder}_committed_123`, undefined],
                ["commit-marker", `s3://${BUCKET}/${folder}_started_123`, undefined],
                ["sub-folder", `s3://${BUCKET}/${folder}old/`, 2],
            ],
        );
        assert.equal(
            leftoverWarning(listing.leftovers[2]),
            `s3://${BUCKET}/${folder}_SUCCESS: a job's success marker (Hadoop, Spark), not data; Personalize's documentation doesn't say that an import skips it. ` +
                "Turn it off (Spark: mapreduce.fileoutputcommitter.marksuccessfuljobs=false) or delete it once the job is done",
        );
        assert.equal(
            leftoverWarning(listing.leftovers[5]),
            `s3://${BUCKET}/${folder}old/: a sub-folder (2 objects) inside the dataset's folder, which the data checks skip; Personalize's documentation ` +
                "doesn't say whether an import reads sub-folders. Write the dataset's files directly in the folder, or move the sub-folder out",
        );

        // Without the trailing "/", a name that is no object is the folder of that name; an object's name is the object.
        assert.equal((await listS3(`s3://${BUCKET}/import/interactions`)).uri, `s3://${BUCKET}/${folder}`);
        const one = await listS3(`s3://${BUCKET}/${folder}${parts[1]}`);
        assert.deepEqual(
            one.objects.map(o => o.key),
            [folder + parts[1]],
        );
        assert.deepEqual(one.leftovers, []);
    });

    it("says a prefix without data in one line, naming what is there instead", async () => {
        await server.put(BUCKET, "import/users/_SUCCESS", "");
        const listing = await listS3(`s3://${BUCKET}/import/users/`);
        assert.deepEqual(listing.objects, []);
        assert.equal(
            noDataMessage(listing),
            `s3://${BUCKET}/import/users/: no data objects under this prefix (only s3://${BUCKET}/import/users/_SUCCESS); ` +
                "check the bucket and folder, or run the pipeline that writes it first",
        );
    });

    it("reads an object in ranged parts, byte for byte as the local file, at any position and past its end", async () => {
        // Two parts and a bit (after a first read of 3 MB), so that sequential reads cross part boundaries and the last part is short.
        const row = "user-1,item-1,1700000000\n";
        const bytes = Buffer.alloc(2 * PART_BYTES + 12345, row);
        await server.put(BUCKET, "import/interactions/ranges.csv", bytes);
        await listS3(`s3://${BUCKET}/import/interactions/ranges.csv`);
        const temp = new TempFolder();
        try {
            const file = temp.write("ranges.csv", bytes);
            for (const name of [`s3://${BUCKET}/import/interactions/ranges.csv`, path.resolve(file)]) {
                const reader = await openSource(name);
                try {
                    const buf = Buffer.alloc(3 << 20);
                    // A read in the middle first (as the engine finds its split point), then a sequential pass.
                    assert.equal(await reader.read(buf, 0, 100, PART_BYTES + 7), 100, name);
                    assert.deepEqual(buf.subarray(0, 100), bytes.subarray(PART_BYTES + 7, PART_BYTES + 107));
                    const seen: Buffer[] = [];
                    server.forgetRequests();
                    for (let position = 0, n = 1; n > 0; position += n) {
                        n = await reader.read(buf, 0, buf.length, position);
                        seen.push(Buffer.from(buf.subarray(0, n)));
                    }
                    assert.ok(Buffer.concat(seen).equals(bytes), name);
                    if (name.startsWith("s3://")) {
                        // The first read is fetched as asked; from the second on, whole parts, several in flight, never more than the window.
                        const parts: string[] = [];
                        for (let start = buf.length; start < bytes.length; start += PART_BYTES)
                            parts.push(`bytes=${start}-${Math.min(start + PART_BYTES, bytes.length) - 1}`);
                        assert.deepEqual(
                            server.requests.map(r => r.range),
                            [`bytes=0-${buf.length - 1}`, ...parts],
                        );
                        assert.ok(
                            server.maxConcurrentGets > 1 && server.maxConcurrentGets <= PARTS_AHEAD + 1,
                            `${server.maxConcurrentGets} GETs at once`,
                        );
                    }
                    assert.equal(await reader.read(buf, 0, 10, bytes.length + 5), 0, name);
                } finally {
                    await reader.close();
                }
            }
        } finally {
            temp.remove();
        }
    });

    it("learns size and ETag from its first answer when the object wasn't listed in this thread (a worker's reader)", async () => {
        await server.put(BUCKET, "unlisted/interactions.csv", `${HEADER}u1,i1,1700000000\n`);
        const reader = await openSource(`s3://${BUCKET}/unlisted/interactions.csv`);
        const buf = Buffer.alloc(100);
        assert.equal(await reader.read(buf, 0, 10, 0), 10);
        assert.equal(await reader.read(buf, 10, 90, 10), HEADER.length + 17 - 10);
        assert.equal(buf.subarray(0, HEADER.length).toString(), HEADER);
        await reader.close();
    });

    it("says no bucket, access denied, rejected and missing credentials in one line each", async () => {
        await assert.rejects(listS3("s3://no-such-bucket-here/import/"), {
            name: "S3ReadError",
            message:
                's3://no-such-bucket-here/import/: no bucket named "no-such-bucket-here" (NoSuchBucket): check the name, and that your credentials are for its account and partition',
        });
        const denied = server.useInProcess(server.env(DENIED_ACCESS_KEY));
        try {
            await assert.rejects(listS3(`s3://${BUCKET}/import/`), {
                name: "S3ReadError",
                message: `s3://${BUCKET}/import/: access denied to s3:ListBucket: the credentials in use need s3:ListBucket on bucket ${BUCKET} (an IAM policy of theirs, and the bucket policy, must allow it)`,
            });
        } finally {
            denied();
        }
        const unknown = server.useInProcess(server.env("UNKNOWNKEY"));
        try {
            await assert.rejects(listS3(`s3://${BUCKET}/import/`), {
                message: `s3://${BUCKET}/import/: S3 rejected the credentials (InvalidAccessKeyId): the access key is unknown, wrong or expired; sign in again or check AWS_PROFILE`,
            });
        } finally {
            unknown();
        }
        const temp = new TempFolder();
        const none = server.useInProcess({
            AWS_ACCESS_KEY_ID: "",
            AWS_SECRET_ACCESS_KEY: "",
            AWS_PROFILE: "",
            AWS_SHARED_CREDENTIALS_FILE: path.join(temp.dir, "credentials"),
            AWS_CONFIG_FILE: path.join(temp.dir, "config"),
        });
        try {
            await assert.rejects(listS3(`s3://${BUCKET}/import/`), {
                message:
                    `s3://${BUCKET}/import/: no AWS credentials: the AWS SDK found none in the environment (AWS_ACCESS_KEY_ID), the shared files ` +
                    "(AWS_PROFILE, ~/.aws/credentials, ~/.aws/config) or an instance role; sign in (aws sso login, aws configure) or set AWS_PROFILE",
            });
        } finally {
            none();
            temp.remove();
        }
    });
});
