import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { DataCheckError, InvalidArgumentError } from "../components/errors";
import { PersonalizeDataBucket, type PersonalizeDataBucketArgs } from "../components/personalize-data-bucket";
import { sampleData } from "../scripts/generate-sample-data";
import { inProcessRuntime } from "./harness/in-process";
import type { RecordedResource } from "../offline/recorder";
import { TYPES, ofType, policyOf, single } from "./harness/resources";

const GB = 1024 ** 3;
let tmp: string;
let counter = 0;

/** A fresh data folder; a number stands for a file of that size (sparse, so it costs no disk). */
function dataFolder(files: Record<string, string | number>): string {
    const dir = fs.mkdtempSync(path.join(tmp, "data-"));
    for (const [name, content] of Object.entries(files)) {
        const file = path.join(dir, name);
        if (name.endsWith("/")) fs.mkdirSync(file);
        else if (typeof content === "number") fs.truncateSync((fs.writeFileSync(file, ""), file), content);
        else fs.writeFileSync(file, content);
    }
    return dir;
}

/** Valid Personalize data: the committed sample. */
const CSV = sampleData();

function uniqueName(): string {
    return `unit${++counter}`;
}

/** Declares the component and returns its resources and the warnings logged meanwhile. */
async function declare(args: Partial<PersonalizeDataBucketArgs>) {
    const name = uniqueName();
    const before = await inProcessRuntime().snapshot();
    const component = await PersonalizeDataBucket.create(name, { dataDir: dataFolder(CSV), ...args });
    const { resources, warnings, infos } = await inProcessRuntime().snapshot();
    const own = resources.filter(r => r.name === name || r.name.startsWith(`${name}-`));
    return { name, component, resources: own, warnings: warnings.slice(before.warnings.length), infos: infos.slice(before.infos.length) };
}

/** Asserts that the arguments are refused with this argument and message, and nothing is declared. */
async function refuses(args: Partial<PersonalizeDataBucketArgs>, argument: string, message: string | RegExp) {
    const name = uniqueName();
    await assert.rejects(PersonalizeDataBucket.create(name, { dataDir: dataFolder(CSV), ...args }), (err: unknown) => {
        assert.ok(err instanceof InvalidArgumentError, `expected InvalidArgumentError, got ${err}`);
        assert.equal(err.argument, argument);
        if (typeof message === "string") assert.equal(err.problem, message);
        else assert.match(err.problem, message);
        return true;
    });
    const { resources } = await inProcessRuntime().snapshot();
    const declared: RecordedResource[] = resources.filter(r => r.name === name || r.name.startsWith(`${name}-`));
    assert.deepEqual(declared, [], "no resource may be declared before the arguments are valid");
}

describe("PersonalizeDataBucket", () => {
    before(() => {
        tmp = fs.mkdtempSync(path.join(os.tmpdir(), "personalize-component-"));
        inProcessRuntime();
    });
    after(() => fs.rmSync(tmp, { recursive: true, force: true }));

    describe("data folder", () => {
        it("refuses a folder that does not exist, naming it", async () => {
            const missing = path.join(tmp, "nowhere");
            await refuses(
                { dataDir: missing },
                "dataDir",
                `data folder "${missing}" does not exist; point it at the folder that holds your CSV files`,
            );
        });

        it("refuses a file given as the folder", async () => {
            const file = path.join(dataFolder(CSV), "interactions.csv");
            await refuses(
                { dataDir: file },
                "dataDir",
                `data folder "${file}" is not a folder; point it at the folder that holds your CSV files`,
            );
        });

        it("refuses a folder with no CSV file", async () => {
            const dir = dataFolder({ "notes.txt": "hello" });
            await refuses({ dataDir: dir }, "dataDir", `data folder "${dir}" holds no .csv file; put your Personalize CSV files in it`);
        });

        it("uploads a file over 5 GB: the provider uploads in parts, so only the import's size limits apply", async () => {
            const dir = dataFolder(CSV);
            const big = path.join(dir, "items-catalogue.csv");
            fs.writeFileSync(big, "ITEM_ID,GENRES\n");
            fs.truncateSync(big, 6 * GB); // sparse: its rows are never read with headerOnlyAbove
            const { resources, name } = await declare({ dataDir: dir, headerOnlyAbove: 1024 ** 2 });
            assert.deepEqual(
                ofType(resources, TYPES.object)
                    .filter(o => o.name === `${name}-items-catalogue.csv`)
                    .map(o => o.inputs.key),
                ["import/items-catalogue.csv"],
            );
        });

        it("uploads only the CSV files directly in the folder and warns about the rest", async () => {
            const dir = dataFolder({
                "interactions.csv": CSV["interactions.csv"],
                "Users.CSV": CSV["users.csv"],
                "README.md": "x",
                "old/": "",
            });
            const { resources, warnings, name } = await declare({ dataDir: dir });
            assert.deepEqual(
                ofType(resources, TYPES.object).map(o => [o.name, o.inputs.key]),
                [
                    [`${name}-Users.CSV`, "import/Users.CSV"],
                    [`${name}-interactions.csv`, "import/interactions.csv"],
                ],
            );
            assert.deepEqual(warnings, [
                `ignoring "${path.join(dir, "README.md")}": only .csv files directly in dataDir are uploaded`,
                `ignoring "${path.join(dir, "old")}": only .csv files directly in dataDir are uploaded`,
            ]);
        });

        it("names each object after its file alone, so adding a file renames nothing", async () => {
            const two = await declare({ dataDir: dataFolder(CSV) });
            const three = await declare({ dataDir: dataFolder({ ...CSV, "items-2026.csv": CSV["items.csv"] }) });
            const names = (run: typeof two) => ofType(run.resources, TYPES.object).map(o => o.name.slice(run.name.length));
            assert.deepEqual(names(two), ["-interactions.csv", "-items.csv", "-users.csv"]);
            assert.deepEqual(names(three), ["-interactions.csv", "-items-2026.csv", "-items.csv", "-users.csv"]);
        });
    });

    describe("folders", () => {
        it("takes a key prefix with or without its trailing /", async () => {
            const { resources, component } = await declare({ keyPrefix: "personalize/import/" });
            assert.equal(ofType(resources, TYPES.object)[0].inputs.key, "personalize/import/interactions.csv");
            const location = await new Promise(resolve => component.dataLocation.apply(resolve));
            assert.match(String(location), /^s3:\/\/[^/]+\/personalize\/import\/$/);
            const bucket = single(resources, TYPES.bucket);
            assert.equal(
                bucket.inputs.tags["personalize-data-prefix"],
                "personalize/import/",
                "the policy pack reads the data folder from this tag",
            );
        });

        const S3_UNSAFE = "S3's key naming guidelines don't list among the safe characters (it may need URL encoding)";
        const NOT_A_TAG = "a bucket tag value doesn't accept (the import and batch output folders are also bucket tags)";
        for (const [value, why] of [
            ["/import", 'must not start with "/", got "/import"'],
            ["", 'must name a folder, got ""'],
            ["import//x", 'has an empty, "." or ".." folder, got "import//x"'],
            ["import/../x", 'has an empty, "." or ".." folder, got "import/../x"'],
            ["my data", `has " " (a space), which ${S3_UNSAFE}, got "my data"`],
            ["team+recs", `has "+", which ${S3_UNSAFE}, got "team+recs"`],
            ["jobs(1)", `has "(", which ${NOT_A_TAG}, got "jobs(1)"`],
            ["a$b", `has "$", which ${S3_UNSAFE}, and which ${NOT_A_TAG}, got "a$b"`],
            ["données", `has "é", which ${S3_UNSAFE}, got "données"`],
        ]) {
            it(`refuses the key prefix ${JSON.stringify(value)}`, async () => {
                await refuses(
                    { keyPrefix: value },
                    "keyPrefix",
                    `${why}; use folder names of letters, digits, ".", "_" and "-" separated by "/", e.g. "personalize/import"`,
                );
            });
        }

        it("refuses batch folders that overlap each other or the import folder", async () => {
            const fix = "give import data, batch input and batch output separate folders";
            await refuses(
                { batch: true, batchOutputPrefix: "import/out" },
                "batchOutputPrefix",
                `folder "import/out/" overlaps keyPrefix "import/" (its default); ${fix}`,
            );
            await refuses(
                { batch: true, batchInputPrefix: "jobs", batchOutputPrefix: "jobs/" },
                "batchOutputPrefix",
                `folder "jobs/" overlaps batchInputPrefix "jobs/"; ${fix}`,
            );
        });

        it("blames the folder the caller set, not the default it overlaps", async () => {
            const fix = "give import data, batch input and batch output separate folders";
            await refuses(
                { batch: true, keyPrefix: "batch/output" },
                "keyPrefix",
                `folder "batch/output/" overlaps batchOutputPrefix "batch/output/" (its default); ${fix}`,
            );
            await refuses(
                { batch: true, keyPrefix: "batch" },
                "keyPrefix",
                `folder "batch/" overlaps batchInputPrefix "batch/input/" (its default); ${fix}`,
            );
        });

        it("does not mistake sibling folders with a common beginning for overlapping ones", async () => {
            const { resources } = await declare({
                batch: true,
                keyPrefix: "data",
                batchInputPrefix: "data_in",
                batchOutputPrefix: "data_out",
            });
            const put = policyOf(single(resources, TYPES.bucketPolicy)).Statement.find((s: any) => s.Action === "s3:PutObject");
            assert.match(put.Resource, /\/data_out\/\*$/);
        });
    });

    describe("names", () => {
        for (const [name, why] of [
            ["ab", "must be 3 to 63 characters long, got 2"],
            ["x".repeat(64), "must be 3 to 63 characters long, got 64"],
            ["My-Bucket", "may contain only lowercase letters, digits, dots (.) and hyphens (-)"],
            ["-bucket", "must begin and end with a letter or digit"],
            ["my..bucket", "must not contain two adjacent dots"],
            ["192.168.5.4", "must not be formatted as an IP address"],
            ["xn--bucket", 'must not start with "xn--" (reserved by S3)'],
            ["bucket-s3alias", 'must not end with "-s3alias" (reserved by S3)'],
        ]) {
            it(`refuses the bucket name ${name.length > 20 ? `of ${name.length} characters` : JSON.stringify(name)}`, async () => {
                await refuses({ bucketName: name }, "bucketName", `bucket name "${name}" ${why}`);
            });
        }

        it("refuses a role name IAM would refuse", async () => {
            await refuses(
                { roleName: "a role" },
                "roleName",
                'role name "a role" must be 1 to 64 characters of letters, digits and + = , . @ _ -',
            );
        });

        it("uses a given bucket and role name in every reference and ARN", async () => {
            const { resources } = await declare({ bucketName: "acme-personalize-data", roleName: "AcmePersonalize" });
            for (const r of resources.filter(r => r.type.startsWith("aws:s3/")))
                assert.equal(r.inputs.bucket, "acme-personalize-data", r.name);
            assert.equal(single(resources, TYPES.role).inputs.name, "AcmePersonalize");
            assert.equal(single(resources, TYPES.rolePolicy).inputs.role, "AcmePersonalize");
            const arns = policyOf(single(resources, TYPES.rolePolicy)).Statement.map((s: any) => s.Resource);
            assert.deepEqual(arns, ["arn:aws:s3:::acme-personalize-data", "arn:aws:s3:::acme-personalize-data/*"]);
        });

        it("cuts a long derived bucket name to 63 characters with a hash that tells long names apart", async () => {
            const long = "a-very-long-component-name-for-a-personalize-dataset-bucket";
            const bucketNames = [];
            for (const suffix of ["one", "two"]) {
                const component = await PersonalizeDataBucket.create(`${long}-${suffix}`, { dataDir: dataFolder(CSV) });
                bucketNames.push(await new Promise<string>(resolve => component.bucketName.apply(resolve)));
            }
            for (const n of bucketNames) {
                assert.ok(n.length <= 63, `${n} is ${n.length} characters`);
                assert.match(n, /^a-very-long-component-name-for-a-personalize-[a-z0-9-]*-[0-9a-f]{8}$/);
            }
            assert.notEqual(bucketNames[0], bucketNames[1]);
        });
    });

    describe("tags and policy", () => {
        it("refuses tags that would override the ones the policy pack reads", async () => {
            await refuses(
                { tags: { "personalize-workflow": "batch" } },
                "tags",
                '"personalize-workflow" is set by the component; remove it from tags',
            );
            await refuses(
                { tags: { "personalize-data-prefix": "other/" } },
                "tags",
                '"personalize-data-prefix" is set by the component; remove it from tags',
            );
            await refuses(
                { tags: { "personalize-account": "999999999999" } },
                "tags",
                '"personalize-account" is set by the component; remove it from tags',
            );
        });

        it("refuses a noncurrent version expiry under one day", async () => {
            await refuses({ noncurrentVersionDays: 0 }, "noncurrentVersionDays", "must be a whole number of days, 1 or more, got 0");
        });

        it("appends extra bucket policy statements after its own, in order", async () => {
            const extra = [
                { Sid: "OrgDenyDelete", Effect: "Deny", Principal: "*", Action: "s3:DeleteBucket", Resource: "*" },
                { Effect: "Deny", Principal: "*", Action: "s3:PutBucketAcl", Resource: "*" },
            ];
            const { resources } = await declare({ extraBucketPolicyStatements: extra });
            const statements = policyOf(single(resources, TYPES.bucketPolicy)).Statement;
            assert.deepEqual(
                statements.map((s: any) => s.Sid),
                ["PersonalizeListBucket", "PersonalizeGetObject", "DenyInsecureTransport", "OrgDenyDelete", undefined],
            );
            assert.deepEqual(statements.slice(3), extra);
        });

        it("refuses an extra statement that reuses one of its Sids", async () => {
            await refuses(
                { extraBucketPolicyStatements: [{ Sid: "Mine" }, { Sid: "DenyInsecureTransport", Effect: "Deny" }] },
                "extraBucketPolicyStatements",
                'statement [1] uses Sid "DenyInsecureTransport", which is already in the bucket policy; give it a Sid of its own',
            );
        });
    });
    describe("kmsKey", () => {
        const KMS_TYPES = { key: "aws:kms/key:Key", alias: "aws:kms/alias:Alias" };
        const ACCOUNT = "123456789012";
        const KEY_ARN = "arn:aws:kms:eu-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab";
        const KEY_ACTIONS = ["kms:Decrypt", "kms:GenerateDataKey", "kms:DescribeKey", "kms:CreateGrant", "kms:ListGrants"];
        const names = (name: string) => {
            const bucket = `${name}-unit-${ACCOUNT}-eu-west-1`;
            return { bucket, role: `${bucket}-personalize`, roleArn: `arn:aws:iam::${ACCOUNT}:role/${bucket}-personalize` };
        };
        const personalizeStatement = (roleArn: string) => ({
            Sid: "PersonalizeUseKey",
            Effect: "Allow",
            Principal: { AWS: roleArn, Service: "personalize.amazonaws.com" },
            Action: KEY_ACTIONS,
            Resource: "*",
        });
        const roleKmsPolicy = (keyArn: string) => ({
            Version: "2012-10-17",
            Id: "PersonalizeKmsKeyAccessPolicy",
            Statement: [
                {
                    Sid: "PersonalizeUseKey",
                    Effect: "Allow",
                    Action: ["kms:Decrypt", "kms:GenerateDataKey", "kms:DescribeKey", "kms:ListGrants"],
                    Resource: keyArn,
                },
            ],
        });
        const kmsAccess = (resources: RecordedResource[]) =>
            ofType(resources, TYPES.rolePolicy).find(r => r.inputs.name === "PersonalizeKmsKeyAccessPolicy")!;

        /** Encrypted by default and on upload with the key, with a Bucket Key; the role may use that key only. */
        function assertEncryptedWith(resources: RecordedResource[], keyArn: string, role: string) {
            assert.deepEqual(single(resources, TYPES.encryption).inputs.rules, [
                { applyServerSideEncryptionByDefault: { sseAlgorithm: "aws:kms", kmsMasterKeyId: keyArn }, bucketKeyEnabled: true },
            ]);
            const objects = ofType(resources, TYPES.object);
            assert.equal(objects.length, 3);
            for (const o of objects) {
                assert.deepEqual([o.inputs.serverSideEncryption, o.inputs.kmsKeyId, o.inputs.bucketKeyEnabled], ["aws:kms", keyArn, true]);
            }
            const access = kmsAccess(resources);
            assert.equal(access.inputs.role, role);
            assert.deepEqual(policyOf(access), roleKmsPolicy(keyArn));
            // The S3 grants stay in their own policy, unchanged.
            const s3Access = ofType(resources, TYPES.rolePolicy).find(r => r.inputs.name === "PersonalizeS3BucketAccessPolicy")!;
            assert.ok(policyOf(s3Access).Statement.every((s: any) => String(s.Action).startsWith("s3:")));
        }

        for (const batch of [false, true]) {
            it(`create (${batch ? "batch" : "import"}): a rotating symmetric key whose policy keeps the account's administration and lets Personalize and the role use it`, async () => {
                const { name, resources, component } = await declare({ kmsKey: "create", batch });
                const { bucket, role, roleArn } = names(name);
                const key = single(resources, KMS_TYPES.key);
                assert.equal(key.name, `${name}-key`);
                assert.deepEqual(policyOf(key), {
                    Version: "2012-10-17",
                    Id: "PersonalizeDataKeyPolicy",
                    Statement: [
                        {
                            Sid: "AccountAdministersKey",
                            Effect: "Allow",
                            Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` },
                            Action: "kms:*",
                            Resource: "*",
                        },
                        personalizeStatement(roleArn),
                    ],
                });
                const { policy: _policy, ...settings } = key.inputs;
                assert.deepEqual(settings, {
                    description: `Encrypts the Amazon Personalize data bucket ${bucket}`,
                    keyUsage: "ENCRYPT_DECRYPT",
                    customerMasterKeySpec: "SYMMETRIC_DEFAULT",
                    enableKeyRotation: true,
                    deletionWindowInDays: 30,
                    tags: {},
                });
                assert.deepEqual([key.protect, key.retainOnDelete], [false, false]);
                // KMS refuses a key policy naming a role that doesn't exist yet.
                assert.ok(key.dependencies.includes(single(resources, TYPES.role).urn), "the key must wait for the role");
                const keyArn = key.state!.arn;
                assert.match(keyArn, new RegExp(`^arn:aws:kms:eu-west-1:${ACCOUNT}:key/[0-9a-f-]{36}$`));
                assert.deepEqual(single(resources, KMS_TYPES.alias).inputs, { name: `alias/${bucket}`, targetKeyId: key.state!.keyId });
                assertEncryptedWith(resources, keyArn, role);
                assert.equal(await new Promise(resolve => component.kmsKeyArn!.apply(resolve)), keyArn);
            });
        }

        it("create: names the alias after the bucket, dots (which aliases don't take) as dashes", async () => {
            const { resources } = await declare({ kmsKey: "create", bucketName: "acme.personalize-data" });
            assert.equal(single(resources, KMS_TYPES.alias).inputs.name, "alias/acme-personalize-data");
        });

        it("create: the key and its alias follow the bucket's protect and retainOnDelete, and take its tags", async () => {
            const { resources } = await declare({ kmsKey: "create", protect: true, retainOnDelete: true, tags: { team: "recs" } });
            for (const type of [TYPES.bucket, KMS_TYPES.key, KMS_TYPES.alias]) {
                const r = single(resources, type);
                assert.deepEqual([r.protect, r.retainOnDelete], [true, true], type);
            }
            assert.deepEqual(single(resources, KMS_TYPES.key).inputs.tags, { team: "recs" });
        });

        for (const batch of [false, true]) {
            it(`an existing key's ARN (${batch ? "batch" : "import"}): uses it, grants the role, and logs the statement its key policy needs`, async () => {
                const { name, resources, warnings, component } = await declare({ kmsKey: KEY_ARN, batch });
                const { role, roleArn } = names(name);
                assert.deepEqual(ofType(resources, KMS_TYPES.key), []);
                assert.deepEqual(ofType(resources, KMS_TYPES.alias), []);
                assertEncryptedWith(resources, KEY_ARN, role);
                await new Promise(resolve => component.kmsKeyArn!.apply(resolve));
                const [warning] = warnings;
                const intro =
                    `kmsKey ${KEY_ARN} is not managed by this stack, so its key policy can't be changed here; ` +
                    "unless its owner adds this statement to it, Amazon Personalize can't read the bucket's data:\n";
                assert.equal(warnings.length, 1);
                assert.ok(warning.startsWith(intro), warning);
                assert.deepEqual(JSON.parse(warning.slice(intro.length)), personalizeStatement(roleArn));
            });
        }

        const fix = 'set "create" for a key of this stack, or the ARN of a customer managed key';
        for (const [value, problem] of [
            [
                "alias/aws/s3",
                `"alias/aws/s3" is the AWS managed key for S3, whose key policy can't be changed to let Amazon Personalize use it; ${fix}`,
            ],
            [
                "arn:aws:kms:eu-west-1:123456789012:alias/aws/s3",
                `"arn:aws:kms:eu-west-1:123456789012:alias/aws/s3" is the AWS managed key for S3, whose key policy can't be changed to let Amazon Personalize use it; ${fix}`,
            ],
            [
                "alias/personalize",
                '"alias/personalize" names an alias; give the ARN of the key it points to (arn:<partition>:kms:<region>:<account>:key/<key id>), or "create"',
            ],
            [
                "1234abcd-12ab-34cd-56ef-1234567890ab",
                'expects "create" or a KMS key ARN (arn:<partition>:kms:<region>:<account>:key/<key id>), got "1234abcd-12ab-34cd-56ef-1234567890ab"',
            ],
            [
                "arn:aws:kms:eu-west-1:123456789012:key/not-a-key-id",
                'expects "create" or a KMS key ARN (arn:<partition>:kms:<region>:<account>:key/<key id>), got "arn:aws:kms:eu-west-1:123456789012:key/not-a-key-id"',
            ],
            ["Create", 'expects "create" or a KMS key ARN (arn:<partition>:kms:<region>:<account>:key/<key id>), got "Create"'],
        ]) {
            it(`refuses kmsKey ${JSON.stringify(value)} before declaring anything`, async () => {
                await refuses({ kmsKey: value }, "kmsKey", problem);
            });
        }

        it("takes a multi-Region key ARN and other partitions", async () => {
            const mrk = "arn:aws-cn:kms:cn-north-1:123456789012:key/mrk-1234abcd12ab34cd56ef1234567890ab";
            const { resources } = await declare({ kmsKey: mrk });
            assert.equal(single(resources, TYPES.encryption).inputs.rules[0].applyServerSideEncryptionByDefault.kmsMasterKeyId, mrk);
        });
    });

    describe("batch input files", () => {
        const users = '{"userId": "user0001"}\n{"userId": "user0002", "filterValues": {"GENRES": "\\"Comedy\\""}}\n';

        it("uploads the .json and .jsonl files of batchInputDir under the batch input folder as JSON, and lists them", async () => {
            // The batch input folder inside the data folder, as in the committed prod stack: not "ignored" there.
            const dataDir = dataFolder({ ...CSV, "batch-input/": "" });
            const dir = path.join(dataDir, "batch-input");
            fs.writeFileSync(path.join(dir, "users.jsonl"), users);
            fs.writeFileSync(path.join(dir, "items.json"), '{"itemId": "item0001"}\n');
            fs.writeFileSync(path.join(dir, "notes.txt"), "x");
            const { resources, warnings, name, component } = await declare({ dataDir, batch: true, batchInputDir: dir });
            assert.deepEqual(
                ofType(resources, TYPES.object)
                    .filter(o => o.inputs.contentType === "application/json")
                    .map(o => [o.name, o.inputs.key, o.inputs.source.path]),
                [
                    [`${name}-items.json`, "batch/input/items.json", path.join(dir, "items.json")],
                    [`${name}-users.jsonl`, "batch/input/users.jsonl", path.join(dir, "users.jsonl")],
                ],
            );
            assert.deepEqual(warnings, [
                `ignoring "${path.join(dir, "notes.txt")}": only .json and .jsonl files directly in batchInputDir are uploaded`,
            ]);
            const uris = await new Promise(resolve => component.batchInputUris!.apply(resolve));
            const bucket = await new Promise(resolve => component.bucketName.apply(resolve));
            assert.deepEqual(uris, {
                "items.json": `s3://${bucket}/batch/input/items.json`,
                "users.jsonl": `s3://${bucket}/batch/input/users.jsonl`,
            });
        });

        it("refuses batchInputDir on a stack that is not a batch stack, naming the key", async () => {
            await refuses(
                { batchInputDir: dataFolder({ "users.jsonl": users }) },
                "batchInputDir",
                "is set, but batch is not true: batch input files are uploaded for batch stacks only; set batch to true or remove batchInputDir",
            );
        });

        it("refuses bad JSON lines before anything is declared, naming file and line", async () => {
            const dir = dataFolder({ "users.jsonl": '{"userId": "user0001"}\n{"userId": "user0002",}\n{"itemId": "item0001"}\n' });
            const file = path.join(dir, "users.jsonl");
            await refuses(
                { batch: true, batchInputDir: dir },
                "batchInputDir",
                "the batch input files fail Personalize's input format; fix them before they are uploaded:\n" +
                    `${file}:2: batch-json: the line is not valid JSON (at character 23); write one JSON object per line\n` +
                    `${file}:3: batch-shape-mixed: the record is {"itemId"} but the file's first records are {"userId"}; a file is the input of one recipe, so keep one shape per file`,
            );
        });
    });

    describe("data checks", () => {
        const interactions = (rows: string[]) => ["USER_ID,ITEM_ID,TIMESTAMP,EVENT_TYPE", ...rows].join("\n") + "\n";
        const validRows = CSV["interactions.csv"].trim().split("\n").slice(1);

        it("refuses invalid CSVs with every problem as path:line: rule: message, before any resource", async () => {
            const rows = [...validRows];
            rows[1] = "user0002,item0027,1767226425000,click";
            rows[4] = "user0005,item0099,1767227000";
            const dir = dataFolder({ ...CSV, "interactions.csv": interactions(rows) });
            const name = uniqueName();
            await assert.rejects(PersonalizeDataBucket.create(name, { dataDir: dir }), (err: unknown) => {
                assert.ok(err instanceof DataCheckError, `expected DataCheckError, got ${err}`);
                const file = path.join(dir, "interactions.csv");
                assert.equal(
                    err.message,
                    "the CSV files fail Personalize's format checks; fix them before they are uploaded:\n" +
                        `${file}:3: timestamp-milliseconds: TIMESTAMP 1767226425000 is in milliseconds: divide by 1000 (Unix epoch seconds)\n` +
                        `${file}:6: field-count: expected 4 fields as in the header, found 3; quote values that contain commas ("a,b")`,
                );
                return true;
            });
            const { resources } = await inProcessRuntime().snapshot();
            assert.deepEqual(
                resources.filter(r => r.name.startsWith(name)),
                [],
            );
        });

        it("asks for the dataset of a file it can't tell from the name, and takes it from datasetTypes", async () => {
            const data = { ...CSV, "catalogue.csv": CSV["items.csv"] };
            await refuses(
                { dataDir: dataFolder(data) },
                "datasetTypes",
                'can\'t tell which dataset "catalogue.csv" is for: name it interactions*.csv, items*.csv, users*.csv, actions*.csv or action_interactions*.csv, or set datasetTypes["catalogue.csv"] to one of interactions, items, users, actions, action-interactions',
            );
            const { resources } = await declare({ dataDir: dataFolder(data), datasetTypes: { "catalogue.csv": "items" } });
            assert.equal(ofType(resources, TYPES.object).length, 4);
        });

        it("refuses datasetTypes naming a file that isn't there, or a dataset that doesn't exist", async () => {
            await refuses(
                { datasetTypes: { "catalog.csv": "items" } },
                "datasetTypes",
                'names "catalog.csv", which is not a CSV file in the data folder; remove it or fix the name',
            );
            await refuses(
                { datasetTypes: { "items.csv": "products" as never } },
                "datasetTypes",
                '"items.csv" is set to "products"; use one of interactions, items, users, actions, action-interactions',
            );
            await refuses(
                { schemas: { products: "x.json" } as never },
                "schemas",
                '"products" is not a dataset; use one of interactions, items, users, actions, action-interactions',
            );
        });

        it("takes Actions and Action interactions files, by name or datasetTypes, with their schemas", async () => {
            const fixtures = path.join(__dirname, "datacheck", "fixtures");
            const read = (name: string) => fs.readFileSync(path.join(fixtures, name), "utf8");
            const dir = dataFolder({
                ...CSV,
                "actions.csv": read("actions-valid.csv"),
                "nba-events.csv": read("action_interactions-valid.csv"),
            });
            const schema = path.join(dir, "actions-schema.json");
            fs.writeFileSync(
                schema,
                JSON.stringify({
                    type: "record",
                    name: "Actions",
                    fields: [
                        { name: "ACTION_ID", type: "string" },
                        { name: "VALUE", type: ["null", "float"] },
                        { name: "MEMBERSHIP_LEVEL", type: ["null", "string"], categorical: true },
                        { name: "CREATION_TIMESTAMP", type: "long" },
                        { name: "EXPIRATION_TIMESTAMP", type: ["null", "long"] },
                        { name: "REPEAT_FREQUENCY", type: ["null", "int"] },
                    ],
                }),
            );
            const { resources, name, infos } = await declare({
                dataDir: dir,
                datasetTypes: { "nba-events.csv": "action-interactions" },
                schemas: { actions: schema },
            });
            assert.deepEqual(
                ofType(resources, TYPES.object).map(o => o.name.slice(name.length)),
                ["-actions.csv", "-interactions.csv", "-items.csv", "-nba-events.csv", "-users.csv"],
            );
            assert.ok(infos.includes(`checked ${path.join(dir, "nba-events.csv")}: 5 action-interactions records`), infos.join("\n"));
        });

        it("refuses a schema file that doesn't exist as a problem of schemas, before checking any CSV", async () => {
            const missing = path.join(tmp, "no-such-schema.json");
            await refuses(
                { schemas: { users: missing } },
                "schemas",
                `"users": no schema file at ${missing}; give the path of the dataset's schema file, relative to the project folder`,
            );
            // A folder is no schema file either.
            await refuses(
                { schemas: { users: tmp } },
                "schemas",
                `"users": no schema file at ${tmp}; give the path of the dataset's schema file, relative to the project folder`,
            );
        });

        it("checks only the header of files above headerOnlyAbove", async () => {
            const rows = [...validRows];
            rows[1] = "user0002,item0027,1767226425000,click";
            const data = { ...CSV, "interactions.csv": interactions(rows) };
            await assert.rejects(PersonalizeDataBucket.create(uniqueName(), { dataDir: dataFolder(data) }), DataCheckError);
            const dir = dataFolder(data);
            const { resources, infos } = await declare({ dataDir: dir, headerOnlyAbove: 1024 });
            assert.equal(ofType(resources, TYPES.object).length, 3);
            assert.equal(
                infos[0],
                `checked the header of ${path.join(dir, "interactions.csv")} (interactions): it is over headerOnlyAbove, so its rows were not checked`,
            );
            await refuses({ headerOnlyAbove: 0 }, "headerOnlyAbove", "must be a size in bytes above 0, got 0");
        });

        it("logs what it checked, and skips unchanged files on the next run when given a cache folder", async () => {
            const dataDir = dataFolder(CSV);
            const dataCheckCacheDir = path.join(tmp, `cache-${uniqueName()}`);
            const first = await declare({ dataDir, dataCheckCacheDir });
            assert.deepEqual(first.infos, [
                `checked ${path.join(dataDir, "interactions.csv")}: 1,500 interactions records from 50 users on 120 items`,
                `checked ${path.join(dataDir, "items.csv")}: 120 items records`,
                `checked ${path.join(dataDir, "users.csv")}: 50 users records`,
            ]);
            fs.appendFileSync(path.join(dataDir, "users.csv"), "user0051,free\n");
            const second = await declare({ dataDir, dataCheckCacheDir });
            assert.deepEqual(second.infos, [
                `checked ${path.join(dataDir, "interactions.csv")}: 1,500 interactions records from 50 users on 120 items (unchanged since its last check)`,
                `checked ${path.join(dataDir, "items.csv")}: 120 items records (unchanged since its last check)`,
                `checked ${path.join(dataDir, "users.csv")}: 51 users records`,
            ]);
        });
    });
});
