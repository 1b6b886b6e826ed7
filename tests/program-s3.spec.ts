import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { PROJECT_DIR, runProgram, type ProgramRun, type RunOptions } from "../offline/program";
import { runStackPolicies } from "../offline/policy-engine";
import type { RecordedResource } from "../offline/recorder";
import { policies } from "../policypack/policies";
import { s3ImportJobName } from "../components/personalize-datasets";
import { listS3 } from "../datacheck/sources/s3-listing";
import { sampleData } from "../scripts/generate-sample-data";
import { ofType, TYPES } from "./harness/resources";
import { ACCESS_KEY, S3TestServer } from "./harness/s3-server";

const ACCOUNT = "123456789012";
const BUCKET = "personalize-pipeline-data";
const WRITER = `arn:aws:iam::${ACCOUNT}:role/nightly-export`;
const DATASET = "aws-native:personalize:Dataset";
const DATASETS = ["interactions", "items", "users"] as const;
const SCHEMA = (type: string) => path.join(PROJECT_DIR, "schemas", `${type}.json`);

/**
 * The real program (index.ts) with `dataSource: s3`, under the mocks in a program process as `npm run gate` runs it,
 * for the import stack (datasetGroup set), preview and update. The S3 listing and reads are real calls to an S3 API
 * server on loopback, which the program reaches through the aws provider's settings in the stack config
 * (aws:endpoints, aws:accessKey, aws:secretKey), as it would reach S3.
 */
describe("the program with dataSource s3 (its bucket on an S3 API server on loopback)", () => {
    let server: S3TestServer;
    const sample = sampleData();
    before(async () => {
        server = await S3TestServer.start();
        await server.createBucket(BUCKET);
        for (const type of DATASETS) await server.put(BUCKET, `import/${type}/part-00000-c000.csv`, sample[`${type}.csv`]);
        await server.put(BUCKET, "import/users/_SUCCESS", "");
    });
    after(() => server.stop());

    /** A run of the import stack reading `bucket` (options of runProgram on top). */
    const run = (options: Partial<RunOptions> & { config?: Record<string, unknown> } = {}, bucket = BUCKET): Promise<ProgramRun> =>
        runProgram({
            stack: "import",
            ...options,
            unset: ["dataDir"],
            config: {
                dataSource: "s3",
                s3Datasets: [...DATASETS],
                bucketName: bucket,
                dataWriters: [WRITER],
                "aws:endpoints": [{ s3: server.endpoint }],
                "aws:accessKey": ACCESS_KEY,
                "aws:secretKey": "S3RVER",
                ...options.config,
            },
        });
    const datasets = (r: ProgramRun) => ofType(r.resources, DATASET).sort((a, b) => (a.name < b.name ? -1 : 1));

    it("lists and checks the folders, uploads nothing, and imports each folder with a job named after its listing, in update and preview", async () => {
        const [update, preview] = await Promise.all([run(), run({ preview: true })]);
        for (const r of [update, preview]) {
            assert.equal(r.error, undefined);
            assert.deepEqual(ofType(r.resources, TYPES.object), []);
            assert.deepEqual(
                r.infos.filter(i => i.startsWith("checked ")).map(i => i.replace(/ \(unchanged since its last check\)$/, "")),
                [
                    `checked s3://${BUCKET}/import/interactions/part-00000-c000.csv: 1,500 interactions records from 50 users on 120 items`,
                    `checked s3://${BUCKET}/import/items/part-00000-c000.csv: 120 items records`,
                    `checked s3://${BUCKET}/import/users/part-00000-c000.csv: 50 users records`,
                ],
            );
            assert.deepEqual(r.warnings, [
                `s3://${BUCKET}/import/users/_SUCCESS: a job's success marker (Hadoop, Spark), not data; Personalize's documentation doesn't say that an import skips it. ` +
                    "Turn it off (Spark: mapreduce.fileoutputcommitter.marksuccessfuljobs=false) or delete it once the job is done",
            ]);
        }
        const restore = server.useInProcess();
        try {
            for (const type of DATASETS) {
                const dataset = datasets(update).find(d => d.name === `personalize-data-${type}`)!;
                const listed = (await listS3(`s3://${BUCKET}/import/${type}/`)).listed;
                assert.deepEqual(dataset.inputs.datasetImportJob, {
                    jobName: await s3ImportJobName("personalize-data-import", type, listed, SCHEMA(type)),
                    dataSource: { dataLocation: `s3://${BUCKET}/import/${type}/` },
                    roleArn: `arn:aws:iam::${ACCOUNT}:role/${BUCKET}-personalize`,
                });
            }
        } finally {
            restore();
        }
        assert.deepEqual(update.outputs.datasetLocations, {
            interactions: `s3://${BUCKET}/import/interactions/`,
            items: `s3://${BUCKET}/import/items/`,
            users: `s3://${BUCKET}/import/users/`,
        });
        assert.equal(update.outputs.objectUris, undefined);
        assert.deepEqual(update.outputs.dataWriterPolicy, {
            Version: "2012-10-17",
            Statement: [
                {
                    Sid: "WritePersonalizeData",
                    Effect: "Allow",
                    Action: ["s3:PutObject", "s3:AbortMultipartUpload"],
                    Resource: `arn:aws:s3:::${BUCKET}/import/*`,
                },
            ],
        });
        assert.deepEqual(
            datasets(preview).map(d => d.inputs.datasetImportJob.jobName),
            datasets(update).map(d => d.inputs.datasetImportJob.jobName),
        );
    });

    it("passes the pack, which judges the folders' imports and the writers' grant", async () => {
        const update = await run();
        const judged = await runStackPolicies(
            policies,
            update.resources.map((r: RecordedResource) => ({ ...r, inputs: r.state ?? r.inputs })),
            JSON.parse(fs.readFileSync(path.join(PROJECT_DIR, "policypack", "config", "prod.json"), "utf8")),
        );
        assert.deepEqual(judged.violations, []);
    });

    it("stops preview on a bad object as on a bad local CSV, before anything is declared", async () => {
        await server.createBucket("personalize-pipeline-bad");
        await server.put("personalize-pipeline-bad", "import/interactions/part-00000.csv", sample["interactions.csv"]);
        await server.put("personalize-pipeline-bad", "import/items/part-00000.csv", `${sample["items.csv"]}item-x\n`);
        const preview = await run({ preview: true, config: { s3Datasets: ["interactions", "items"] } }, "personalize-pipeline-bad");
        assert.equal(
            preview.error,
            "the objects in S3 fail Personalize's format checks; fix them before they are imported:\n" +
                `s3://personalize-pipeline-bad/import/items/part-00000.csv:122: field-count: expected ${sample["items.csv"].split("\n")[0].split(",").length} fields as in the header, found 1; quote values that contain commas ("a,b")`,
        );
        assert.deepEqual(
            preview.resources.filter(r => r.type !== TYPES.stack),
            [],
        );
    });

    it("declares a dataset whose folder is still empty without an import job, and says so", async () => {
        await server.createBucket("personalize-pipeline-first");
        await server.put("personalize-pipeline-first", "import/interactions/part-00000.csv", sample["interactions.csv"]);
        // A marker alone is no data either.
        await server.put("personalize-pipeline-first", "import/users/_SUCCESS", "");
        const first = await run({ preview: true }, "personalize-pipeline-first");
        assert.equal(first.error, undefined);
        assert.deepEqual(
            datasets(first).map(d => [d.name, d.inputs.datasetImportJob === undefined]),
            [
                ["personalize-data-interactions", false],
                ["personalize-data-items", true],
                ["personalize-data-users", true],
            ],
        );
        assert.deepEqual(
            first.warnings.filter(w => w.startsWith("the ")),
            ["items", "users"].map(
                t =>
                    `the ${t} dataset is declared without an import job: its folder import/${t}/ holds no data yet. ` +
                    "The first pulumi up after the pipeline has written it imports it",
            ),
        );
    });

    it("gives every import a new job name when importAttempt is raised, and changes nothing else, for S3 and local data alike", async () => {
        /** The run with every job name blanked (inputs, state, outputs): what must not change. */
        const withoutJobNames = (r: ProgramRun) =>
            JSON.parse(
                JSON.stringify({ ...r, programMs: 0, programCpuMs: 0, infos: [] }).replace(
                    /"(interactions|items|users)-[0-9a-f]{24}"/g,
                    '"<job name>"',
                ),
            );
        const local = (importAttempt?: number) =>
            runProgram({ stack: "import", preview: true, ...(importAttempt !== undefined && { config: { importAttempt } }) });
        const pairs: Array<[ProgramRun, ProgramRun]> = [
            await Promise.all([run({ preview: true }), run({ preview: true, config: { importAttempt: 2 } })]),
            await Promise.all([local(), local(2)]),
        ];
        for (const [before, after] of pairs) {
            assert.equal(after.error, undefined);
            assert.deepEqual(withoutJobNames(after), withoutJobNames(before));
            const names = (r: ProgramRun) => datasets(r).map(d => d.inputs.datasetImportJob.jobName as string);
            assert.equal(names(after).length, 3);
            for (const [i, name] of names(after).entries()) {
                assert.notEqual(name, names(before)[i]);
                assert.match(name, /^(interactions|items|users)-[0-9a-f]{24}$/);
            }
            // Each import says how to retry it, beside its error in pulumi up.
            assert.ok(
                after.infos.includes(
                    `import job ${names(after)[0]}: if it fails, read its failureReason (aws personalize describe-dataset-import-job), fix the cause, ` +
                        "then retry with: pulumi config set personalize-data-bucket:importAttempt 3 (a new job name for the same data)",
                ),
                after.infos.join("\n"),
            );
        }
    });

    it("refuses an aws provider setting it can't follow, naming it", async () => {
        const refused = await run({ preview: true, config: { "aws:assumeRoles": [{ roleArn: `arn:aws:iam::${ACCOUNT}:role/deployer` }] } });
        assert.match(
            refused.error ?? "",
            /^Pulumi\.import\.yaml: config aws:assumeRoles: the program reads the data folders with the AWS SDK/,
        );
    });
});
