import * as assert from "node:assert/strict";
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { readStackConfig } from "../components/stack-config";
import { inProcessRuntime, UNIT_PROJECT } from "./harness/in-process";
import { flattenConfig, stackConfig } from "../offline/program";

const PROJECT = "/project";

/** Reads the given config (keys relative to the project namespace) as the program would. */
function read(config: Record<string, unknown>) {
    pulumi.runtime.setAllConfig(flattenConfig(Object.fromEntries(Object.entries(config).map(([k, v]) => [`${UNIT_PROJECT}:${k}`, v]))));
    return readStackConfig(PROJECT);
}

function refuses(config: Record<string, unknown>, message: string) {
    assert.throws(
        () => read(config),
        (err: unknown) => {
            assert.ok(err instanceof pulumi.RunError, `expected a RunError (reported without a stack trace), got ${err}`);
            assert.equal(err.message, message);
            return true;
        },
    );
}

describe("stack config", () => {
    const where = `Pulumi.unit.yaml: config ${UNIT_PROJECT}`;
    before(() => inProcessRuntime());
    after(() => pulumi.runtime.setAllConfig({}));

    it("reads every setting with its type, resolving dataDir, batchInputDir and schemas from the project folder", () => {
        const args = read({
            dataDir: "datasets/retail",
            keyPrefix: "import",
            batch: true,
            batchInputPrefix: "in",
            batchOutputPrefix: "out",
            batchInputDir: "batch/jobs",
            bucketName: "acme-data",
            roleName: "AcmePersonalize",
            forceDestroy: false,
            protect: true,
            retainOnDelete: true,
            noncurrentVersionDays: 30,
            tags: { team: "recs" },
            extraBucketPolicyStatements: [{ Sid: "X", Effect: "Deny" }],
            datasetTypes: { "catalogue.csv": "items" },
            schemas: { items: "schemas/items.json" },
            headerOnlyAbove: "10GB",
            kmsKey: "create",
            datasetGroup: { name: "retail", domain: "ECOMMERCE" },
            datasetImportTimeout: "12h",
        });
        assert.deepEqual(args, {
            dataDir: path.join(PROJECT, "datasets/retail"),
            keyPrefix: "import",
            batch: true,
            batchInputPrefix: "in",
            batchOutputPrefix: "out",
            batchInputDir: path.join(PROJECT, "batch/jobs"),
            bucketName: "acme-data",
            roleName: "AcmePersonalize",
            forceDestroy: false,
            protect: true,
            retainOnDelete: true,
            noncurrentVersionDays: 30,
            tags: { team: "recs" },
            extraBucketPolicyStatements: [{ Sid: "X", Effect: "Deny" }],
            datasetTypes: { "catalogue.csv": "items" },
            schemas: { items: path.join(PROJECT, "schemas/items.json") },
            headerOnlyAbove: 10 * 1024 ** 3,
            kmsKey: "create",
            datasetGroup: { name: "retail", domain: "ECOMMERCE" },
            datasetImportTimeout: "12h",
        });
    });

    it("reads sizes with or without a unit", () => {
        const size = (value: unknown) => read({ headerOnlyAbove: value }).headerOnlyAbove;
        assert.equal(size("500MB"), 500 * 1024 ** 2);
        assert.equal(size("1.5 gb"), 1.5 * 1024 ** 3);
        assert.equal(size(4096), 4096);
        refuses(
            { headerOnlyAbove: "10 parsecs" },
            `${where}:headerOnlyAbove: expects a size such as "10GB", "500MB" or a number of bytes, got "10 parsecs"`,
        );
    });

    it("defaults dataDir to the project's data folder and ignores other namespaces", () => {
        pulumi.runtime.setAllConfig({ "aws:region": "eu-west-1", "other:thing": "x" });
        assert.deepEqual(readStackConfig(PROJECT), { dataDir: path.join(PROJECT, "data") });
    });

    it("refuses a datasetGroup that is not an object with a string name and an optional string domain", () => {
        const accepts = 'an object with a string name and an optional string domain, e.g. {"name": "retail"}';
        for (const value of [["retail"], {}, { name: 7 }, { name: "retail", domain: 1 }]) {
            refuses({ datasetGroup: value }, `${where}:datasetGroup: expects ${accepts}, got ${JSON.stringify(JSON.stringify(value))}`);
        }
        refuses({ datasetGroup: "retail" }, `${where}:datasetGroup: expects ${accepts}, got "retail"`);
    });

    it("reads the committed stack files", () => {
        pulumi.runtime.setAllConfig(stackConfig("prod"));
        const args = readStackConfig(PROJECT);
        assert.equal(args.batch, true);
        assert.equal(args.protect, true);
        assert.deepEqual(args.tags, { environment: "prod" });
    });

    it("refuses a key the program does not have, naming the closest and listing the ones it has", () => {
        refuses(
            { bukcetName: "x" },
            `${where}:bukcetName: is not a setting of this program; did you mean ${UNIT_PROJECT}:bucketName? The settings are dataSource, dataDir, keyPrefix, batch, batchInputPrefix, ` +
                "batchOutputPrefix, batchInputDir, bucketName, roleName, forceDestroy, protect, retainOnDelete, noncurrentVersionDays, tags, extraBucketPolicyStatements, " +
                "datasetTypes, schemas, s3Datasets, dataWriters, headerOnlyAbove, kmsKey, datasetGroup, datasetImportTimeout, importAttempt",
        );
    });

    it("warns of a key in a namespace a typo away from the project's, and of an aws: key the provider doesn't have, naming the closest key", () => {
        const warnings: string[] = [];
        const warn = console.warn;
        console.warn = (message: string) => void warnings.push(message);
        try {
            pulumi.runtime.setAllConfig({
                "personalise-data-bucket:batch": "true",
                "personalize-data-bukcet:tgas": "{}",
                "aws:regoin": "eu-west-1",
                "aws:region": "eu-west-1",
                "aws-native:region": "eu-west-1",
                "personalize-data-bucket:keyPrefix": "import",
            });
            assert.equal(readStackConfig(PROJECT).keyPrefix, "import");
        } finally {
            console.warn = warn;
        }
        assert.deepEqual(warnings, [
            `warning: [runtime] Pulumi.unit.yaml: config personalise-data-bucket:batch: "personalise-data-bucket" is not this project's namespace, so nothing reads the key; did you mean ${UNIT_PROJECT}:batch?`,
            `warning: [runtime] Pulumi.unit.yaml: config personalize-data-bukcet:tgas: "personalize-data-bukcet" is not this project's namespace, so nothing reads the key; did you mean ${UNIT_PROJECT}:tags?`,
            "warning: [runtime] Pulumi.unit.yaml: config aws:regoin: is not a setting of the aws provider (@pulumi/aws declares none by that name); did you mean aws:region?",
        ]);
    });

    it("reads kmsKey as create or a key ARN, and refuses the AWS managed key, aliases and anything else", () => {
        const arn = "arn:aws-us-gov:kms:us-gov-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab";
        assert.equal(read({ kmsKey: arn }).kmsKey, arn);
        const managed =
            "is the AWS managed key for S3, whose key policy can't be changed to let Amazon Personalize use it; " +
            'set "create" for a key of this stack, or the ARN of a customer managed key';
        refuses({ kmsKey: "alias/aws/s3" }, `${where}:kmsKey: "alias/aws/s3" ${managed}`);
        refuses(
            { kmsKey: "arn:aws:kms:eu-west-1:123456789012:alias/aws/s3" },
            `${where}:kmsKey: "arn:aws:kms:eu-west-1:123456789012:alias/aws/s3" ${managed}`,
        );
        refuses(
            { kmsKey: "arn:aws:kms:eu-west-1:123456789012:alias/data" },
            `${where}:kmsKey: "arn:aws:kms:eu-west-1:123456789012:alias/data" names an alias; give the ARN of the key it points to ` +
                '(arn:<partition>:kms:<region>:<account>:key/<key id>), or "create"',
        );
        refuses(
            { kmsKey: true },
            `${where}:kmsKey: expects "create" or a KMS key ARN (arn:<partition>:kms:<region>:<account>:key/<key id>), got "true"`,
        );
        refuses(
            { kmsKey: "arn:aws:kms:eu-west-1:12345:key/1234abcd-12ab-34cd-56ef-1234567890ab" },
            `${where}:kmsKey: expects "create" or a KMS key ARN (arn:<partition>:kms:<region>:<account>:key/<key id>), ` +
                'got "arn:aws:kms:eu-west-1:12345:key/1234abcd-12ab-34cd-56ef-1234567890ab"',
        );
    });

    it("refuses a value of the wrong type, saying what the key accepts", () => {
        refuses({ batch: "yes" }, `${where}:batch: expects true or false, got "yes"`);
        refuses({ protect: 1 }, `${where}:protect: expects true or false, got "1"`);
        refuses({ noncurrentVersionDays: "30d" }, `${where}:noncurrentVersionDays: expects a whole number of days, got "30d"`);
        refuses({ tags: ["a"] }, `${where}:tags: expects a map of tag names to string values, got "[\\"a\\"]"`);
        refuses({ tags: { n: 1 } }, `${where}:tags: expects a map of tag names to string values, got "{\\"n\\":1}"`);
        refuses(
            { extraBucketPolicyStatements: { Sid: "X" } },
            `${where}:extraBucketPolicyStatements: expects a list of IAM policy statements (objects), got "{\\"Sid\\":\\"X\\"}"`,
        );
        refuses(
            { extraBucketPolicyStatements: "[oops" },
            `${where}:extraBucketPolicyStatements: expects a list of IAM policy statements (objects), got "[oops"`,
        );
    });

    describe("dataSource s3", () => {
        /** Reads project keys (relative) and provider keys (with their namespace) as the program would. */
        const readWith = (config: Record<string, unknown>, provider: Record<string, unknown>) => {
            pulumi.runtime.setAllConfig(
                flattenConfig({ ...Object.fromEntries(Object.entries(config).map(([k, v]) => [`${UNIT_PROJECT}:${k}`, v])), ...provider }),
            );
            return readStackConfig(PROJECT);
        };
        const s3 = { dataSource: "s3", s3Datasets: ["interactions", "items"] };

        it("reads the pipeline's datasets, writers and the import attempt; no data folder; the aws provider's settings as the SDK's environment", () => {
            const writers = ["arn:aws:iam::123456789012:role/etl"];
            const args = readWith(
                { ...s3, dataWriters: writers, importAttempt: 2 },
                {
                    "aws:region": "eu-central-1",
                    "aws:profile": "data",
                    "aws:endpoints": [{ s3: "http://127.0.0.1:9000", dynamodb: "http://127.0.0.1:8000" }],
                    "aws:sharedCredentialsFiles": ["/secrets/credentials"],
                    "aws:maxRetries": 4,
                    "aws:defaultTags": { tags: { team: "recs" } },
                    "aws:skipMetadataApiCheck": true,
                },
            );
            assert.deepEqual(args, {
                dataSource: "s3",
                s3Datasets: ["interactions", "items"],
                dataWriters: writers,
                importAttempt: 2,
                s3Environment: {
                    AWS_REGION: "eu-central-1",
                    AWS_PROFILE: "data",
                    AWS_ACCESS_KEY_ID: undefined,
                    AWS_SECRET_ACCESS_KEY: undefined,
                    AWS_SESSION_TOKEN: undefined,
                    AWS_ENDPOINT_URL_S3: "http://127.0.0.1:9000",
                    AWS_SHARED_CREDENTIALS_FILE: "/secrets/credentials",
                    AWS_MAX_ATTEMPTS: "5",
                    AWS_EC2_METADATA_DISABLED: "true",
                },
            });
            // Static keys in the config win over a profile in the environment, as in the provider.
            assert.deepEqual(readWith(s3, { "aws:accessKey": "AKIAEXAMPLE", "aws:secretKey": "secret", "aws:token": "t" }).s3Environment, {
                AWS_ACCESS_KEY_ID: "AKIAEXAMPLE",
                AWS_PROFILE: undefined,
                AWS_SECRET_ACCESS_KEY: "secret",
                AWS_SESSION_TOKEN: "t",
            });
        });

        it("refuses a provider setting it can't follow, naming it, but only when it reads S3 itself", () => {
            const assumeRoles = { "aws:assumeRoles": [{ roleArn: "arn:aws:iam::123456789012:role/deployer" }] };
            assert.throws(
                () => readWith(s3, assumeRoles),
                (err: unknown) => {
                    assert.ok(err instanceof pulumi.RunError);
                    assert.equal(
                        err.message,
                        "Pulumi.unit.yaml: config aws:assumeRoles: the program reads the data folders with the AWS SDK, which can't be told to assume a role " +
                            "through its environment; put the role in a profile of ~/.aws/config (role_arn and source_profile) and set aws:profile to it, " +
                            "which both the provider and the program follow",
                    );
                    return true;
                },
            );
            assert.throws(
                () => readWith(s3, { "aws:httpProxy": "http://proxy:3128" }),
                /config aws:httpProxy: the program's HTTP client doesn't use a proxy/,
            );
            assert.throws(
                () => readWith(s3, { "aws:insecure": true }),
                /config aws:insecure: the program verifies the TLS certificates of S3/,
            );
            assert.throws(
                () => readWith(s3, { "aws:sharedConfigFiles": ["a", "b"] }),
                /config aws:sharedConfigFiles: the AWS SDK the program reads the data folders with takes one such file/,
            );
            assert.throws(
                () => readWith(s3, { "aws:someFutureSetting": "x" }),
                /config aws:someFutureSetting: the program doesn't know whether this provider setting changes how S3 is reached/,
            );
            assert.equal(readWith(s3, { "aws:insecure": false }).s3Environment?.AWS_REGION, undefined);
            // With local data the program reads no S3 and leaves the provider's settings to the provider.
            assert.equal(readWith({}, assumeRoles).s3Environment, undefined);
        });

        it("refuses a list that isn't one of strings", () => {
            refuses(
                { s3Datasets: "interactions" },
                `${where}:s3Datasets: expects a list of the datasets a pipeline writes (interactions, items, users, actions, action-interactions), got "interactions"`,
            );
            refuses(
                { dataWriters: [{ arn: "x" }] },
                `${where}:dataWriters: expects a list of IAM role ARNs (arn:aws:iam::123456789012:role/name), got "[{\\"arn\\":\\"x\\"}]"`,
            );
        });
    });
});
