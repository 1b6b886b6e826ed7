import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { DataCheckError, InvalidArgumentError } from "../components/errors";
import { PersonalizeDataBucket, type PersonalizeDataBucketArgs } from "../components/personalize-data-bucket";
import { inProcessRuntime } from "./harness/in-process";
import { ofType, policyOf, single, TYPES } from "./harness/resources";
import { S3TestServer } from "./harness/s3-server";

const WRITER = "arn:aws:iam::123456789012:role/nightly-export";
let counter = 0;

/**
 * The component with dataSource s3, declared in this process under the mocks, reading its bucket from an S3 API
 * server on loopback (the environment it is given, as the program gives it the aws provider's settings).
 */
describe("PersonalizeDataBucket with dataSource s3", () => {
    let server: S3TestServer;
    let cacheDir: string;
    before(async () => {
        inProcessRuntime();
        server = await S3TestServer.start();
        cacheDir = fs.mkdtempSync(path.join(os.tmpdir(), "s3-data-check-"));
    });
    after(async () => {
        await server.stop();
        fs.rmSync(cacheDir, { recursive: true, force: true });
    });

    /** A fresh bucket with `objects` (key to content), and the component's arguments for it. */
    async function bucketWith(objects: Record<string, string>, args: Partial<PersonalizeDataBucketArgs> = {}) {
        const bucketName = `pipeline-bucket-${++counter}`;
        await server.createBucket(bucketName);
        for (const [key, body] of Object.entries(objects)) await server.put(bucketName, key, body);
        return {
            bucketName,
            args: {
                dataSource: "s3",
                s3Datasets: ["interactions", "items", "users"],
                bucketName,
                dataCheckCacheDir: cacheDir,
                s3Environment: server.env(),
                ...args,
            } as PersonalizeDataBucketArgs,
        };
    }

    async function declare(args: PersonalizeDataBucketArgs) {
        const name = `s3unit${++counter}`;
        const before = await inProcessRuntime().snapshot();
        const component = await PersonalizeDataBucket.create(name, args);
        const { resources, warnings, infos } = await inProcessRuntime().snapshot();
        const own = resources.filter(r => r.name === name || r.name.startsWith(`${name}-`));
        return { component, resources: own, warnings: warnings.slice(before.warnings.length), infos: infos.slice(before.infos.length) };
    }

    async function refuses(args: PersonalizeDataBucketArgs, argument: string, problem: string) {
        await assert.rejects(PersonalizeDataBucket.create(`s3unit${++counter}`, args), (err: unknown) => {
            assert.ok(err instanceof InvalidArgumentError, `expected InvalidArgumentError, got ${err}`);
            assert.equal(err.argument, argument);
            assert.equal(err.problem, problem);
            return true;
        });
    }

    it("refuses the settings of local data with it, naming both keys, and asks for the datasets", async () => {
        const { args } = await bucketWith({});
        await refuses(
            { ...args, dataDir: "/data" },
            "dataDir",
            'is set, but dataSource is "s3": a pipeline writes the data into the bucket, nothing is uploaded from a folder; remove dataDir, or set dataSource to "local"',
        );
        await refuses(
            { ...args, datasetTypes: { "catalogue.csv": "items" } },
            "datasetTypes",
            'is set, but dataSource is "s3": the dataset of an object is the folder it is in (<keyPrefix>/<dataset>/), not its name; remove datasetTypes, or set dataSource to "local"',
        );
        await refuses(
            { ...args, s3Datasets: undefined },
            "s3Datasets",
            'dataSource is "s3": list the datasets the pipeline writes, e.g. [interactions, items, users] (interactions, items, users, actions, action-interactions)',
        );
        await refuses(
            { ...args, s3Datasets: ["interactions", "clicks" as never] },
            "s3Datasets",
            '"clicks" is not a dataset; use interactions, items, users, actions, action-interactions',
        );
        await refuses({ ...args, s3Datasets: ["items", "items"] }, "s3Datasets", 'lists "items" twice');
        await refuses(
            { ...args, dataWriters: ["arn:aws:iam::123456789012:user/etl"] },
            "dataWriters",
            '"arn:aws:iam::123456789012:user/etl" is not an IAM role ARN; write arn:aws:iam::<account>:role/<name> (the role the pipeline runs as)',
        );
        await refuses(
            { ...args, dataWriters: ["arn:aws-cn:iam::123456789012:role/etl"] },
            "dataWriters",
            '"arn:aws-cn:iam::123456789012:role/etl" is not in partition aws, which this stack deploys to; name roles of aws',
        );
        await refuses(
            { dataDir: "/data", dataWriters: [WRITER] },
            "dataWriters",
            'is set, but dataSource is "local": pipeline roles write the data of an s3 data source only; remove dataWriters, or set dataSource to "s3"',
        );
        await refuses(
            { ...args, dataSource: "pipeline" as never },
            "dataSource",
            'must be "local" (the CSV files of dataDir) or "s3" (a pipeline writes the data), got "pipeline"',
        );
    });

    it("uploads nothing; grants the data writers PutObject and AbortMultipartUpload under the import folder only; gives the folders and the writer's statement", async () => {
        const { bucketName, args } = await bucketWith({}, { dataWriters: [WRITER, "arn:aws:iam::123456789012:role/etl/backfill"] });
        const { component, resources } = await declare(args);
        assert.deepEqual(ofType(resources, TYPES.object), []);
        const statements = policyOf(single(resources, TYPES.bucketPolicy)).Statement;
        assert.deepEqual(
            statements.find((s: { Sid: string }) => s.Sid === "DataWritersPutObject"),
            {
                Sid: "DataWritersPutObject",
                Effect: "Allow",
                Principal: { AWS: [WRITER, "arn:aws:iam::123456789012:role/etl/backfill"] },
                Action: ["s3:PutObject", "s3:AbortMultipartUpload"],
                Resource: `arn:aws:s3:::${bucketName}/import/*`,
            },
        );
        assert.deepEqual(
            statements.map((s: { Sid: string }) => s.Sid),
            ["PersonalizeListBucket", "PersonalizeGetObject", "DataWritersPutObject", "DenyInsecureTransport"],
        );
        assert.deepEqual(await promiseOf(component.datasetLocations!), {
            interactions: `s3://${bucketName}/import/interactions/`,
            items: `s3://${bucketName}/import/items/`,
            users: `s3://${bucketName}/import/users/`,
        });
        assert.deepEqual(await promiseOf(component.dataWriterPolicy!), {
            Version: "2012-10-17",
            Statement: [
                {
                    Sid: "WritePersonalizeData",
                    Effect: "Allow",
                    Action: ["s3:PutObject", "s3:AbortMultipartUpload"],
                    Resource: `arn:aws:s3:::${bucketName}/import/*`,
                },
            ],
        });
        assert.equal(component.objectUris, undefined);
    });

    it("names the KMS actions in the writer's statement when the bucket has a key", async () => {
        const key = "arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab";
        const { args } = await bucketWith({}, { kmsKey: key });
        const { component } = await declare(args);
        assert.deepEqual((await promiseOf(component.dataWriterPolicy!)).Statement[1], {
            Sid: "EncryptPersonalizeData",
            Effect: "Allow",
            Action: ["kms:GenerateDataKey", "kms:Decrypt"],
            Resource: key,
        });
    });

    it("warns of folders without data, and of a bucket that doesn't exist yet, and of what a pipeline left beside its data", async () => {
        const { bucketName, args } = await bucketWith({ "import/users/_SUCCESS": "", "import/users/old/part-0.csv": "x" });
        const { warnings } = await declare(args);
        assert.deepEqual(warnings, [
            `s3://${bucketName}/import/interactions/ holds no data yet: the interactions dataset has nothing to check or import until the pipeline writes it`,
            `s3://${bucketName}/import/items/ holds no data yet: the items dataset has nothing to check or import until the pipeline writes it`,
            `s3://${bucketName}/import/users/_SUCCESS: a job's success marker (Hadoop, Spark), not data; Personalize's documentation doesn't say that an import skips it. ` +
                "Turn it off (Spark: mapreduce.fileoutputcommitter.marksuccessfuljobs=false) or delete it once the job is done",
            `s3://${bucketName}/import/users/old/: a sub-folder (1 object) inside the dataset's folder, which the data checks skip; Personalize's documentation ` +
                "doesn't say whether an import reads sub-folders. Write the dataset's files directly in the folder, or move the sub-folder out",
            `s3://${bucketName}/import/users/ holds no data yet: the users dataset has nothing to check or import until the pipeline writes it`,
        ]);
        const missing = await declare({ ...args, bucketName: "bucket-not-created-yet", s3Datasets: ["interactions"] });
        assert.deepEqual(missing.warnings, [
            's3://bucket-not-created-yet/import/interactions/ holds no data yet (bucket "bucket-not-created-yet" doesn\'t exist yet: this stack creates it): ' +
                "the interactions dataset has nothing to check or import until the pipeline writes it",
        ]);
    });

    it("reads the bucket named after the stack's account and region when bucketName is unset", async () => {
        // The mocked provider's account and region: the name the bucket resource gets too.
        const { args } = await bucketWith({});
        const { resources, warnings } = await declare({ ...args, bucketName: undefined, s3Datasets: ["items"] });
        const bucket = single(resources, TYPES.bucket).inputs.bucket as string;
        assert.match(bucket, /^s3unit\d+-unit-123456789012-eu-west-1$/);
        assert.match(warnings[0], new RegExp(`^s3://${bucket}/import/items/ holds no data yet \\(bucket "${bucket}" doesn't exist yet`));
    });

    it("checks the objects before anything is declared: a bad one stops it as a bad CSV does, with s3://bucket/key:line", async () => {
        const rows = (n: number) => Array.from({ length: n }, (_, i) => `user-${i % 40},item-${i % 9},1700000000\n`).join("");
        const header = "USER_ID,ITEM_ID,TIMESTAMP\n";
        const { bucketName, args } = await bucketWith(
            {
                "import/interactions/part-00000.csv": header + rows(700),
                "import/interactions/part-00001.csv": header + rows(900) + "user-1,item-1\n",
            },
            { s3Datasets: ["interactions"] },
        );
        const name = `s3unit${++counter}`;
        await assert.rejects(PersonalizeDataBucket.create(name, args), (err: unknown) => {
            assert.ok(err instanceof DataCheckError);
            assert.equal(
                err.message,
                "the objects in S3 fail Personalize's format checks; fix them before they are imported:\n" +
                    `s3://${bucketName}/import/interactions/part-00001.csv:902: field-count: expected 3 fields as in the header, found 2; quote values that contain commas ("a,b")`,
            );
            return true;
        });
        const { resources } = await inProcessRuntime().snapshot();
        assert.deepEqual(
            resources.filter(r => r.name.startsWith(name)),
            [],
        );

        // Over headerOnlyAbove (the second object, about 22 KB), an object gets its header checked only, as a local file
        // does; the first, checked in full by the failed run, comes from the cache.
        const headerOnly = await declare({ ...args, headerOnlyAbove: 20000 });
        assert.deepEqual(headerOnly.infos, [
            `checked s3://${bucketName}/import/interactions/part-00000.csv: 700 interactions records from 40 users on 9 items (unchanged since its last check)`,
            `checked the header of s3://${bucketName}/import/interactions/part-00001.csv (interactions): it is over headerOnlyAbove, so its rows were not checked`,
        ]);
        // Checked again, all from the cache: nothing of the objects is read.
        server.forgetRequests();
        const again = await declare({ ...args, headerOnlyAbove: 20000 });
        assert.equal(again.infos.length, 2);
        assert.deepEqual(
            server.requests.filter(r => r.method === "GET" && r.range),
            [],
        );
    });

    it("stops on an S3 refusal with its one line", async () => {
        const { args } = await bucketWith({});
        await assert.rejects(PersonalizeDataBucket.create(`s3unit${++counter}`, { ...args, s3Environment: server.env("DENIEDKEY") }), {
            name: "S3ReadError",
            message: new RegExp(`^s3://${args.bucketName}/import/interactions/: access denied to s3:ListBucket`),
        });
    });
});

function promiseOf<T>(output: { apply<U>(f: (t: T) => U): unknown }): Promise<T> {
    return new Promise(resolve => output.apply(value => resolve(value)));
}
