import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { PROJECT_DIR, committedStacks, runProgram, type ProgramRun } from "../offline/program";
import { runStackPolicies } from "../offline/policy-engine";
import { UNKNOWN, type RecordedResource } from "../offline/recorder";
import { policies } from "../policypack/policies";
import { personalizeRoleTrust } from "../policypack/policies/personalize-role-trust";
import { personalizeTrustPolicy } from "../components/policy-documents";
import { importJobName } from "../components/personalize-datasets";
import { TYPES as AWS_TYPES, ofType, policyOf, single } from "./harness/resources";

const TYPES = {
    ...AWS_TYPES,
    datasets: "personalize-data-bucket:index:PersonalizeDatasets",
    nativeProvider: "pulumi:providers:aws-native",
    datasetGroup: "aws-native:personalize:DatasetGroup",
    schema: "aws-native:personalize:Schema",
    dataset: "aws-native:personalize:Dataset",
} as const;
const ACCOUNT = "123456789012";
const DEV_BUCKET = `personalize-data-dev-${ACCOUNT}-eu-west-1`;
const PROD_BUCKET = `personalize-data-prod-${ACCOUNT}-eu-west-1`;
const SAMPLE_FILES = ["interactions.csv", "items.csv", "users.csv"];

function bucketPolicyStatements(bucket: string, batch: boolean) {
    const arn = `arn:aws:s3:::${bucket}`;
    const principal = { Service: "personalize.amazonaws.com" };
    return [
        { Sid: "PersonalizeListBucket", Effect: "Allow", Action: "s3:ListBucket", Resource: arn, Principal: principal },
        { Sid: "PersonalizeGetObject", Effect: "Allow", Action: "s3:GetObject", Resource: `${arn}/*`, Principal: principal },
        ...(batch
            ? [
                  {
                      Sid: "PersonalizePutBatchOutput",
                      Effect: "Allow",
                      Action: "s3:PutObject",
                      Resource: `${arn}/batch/output/*`,
                      Principal: principal,
                  },
              ]
            : []),
        {
            Sid: "DenyInsecureTransport",
            Effect: "Deny",
            Principal: "*",
            Action: "s3:*",
            Resource: [arn, `${arn}/*`],
            Condition: { Bool: { "aws:SecureTransport": "false" } },
        },
    ];
}

function roleStatements(bucket: string, batch: boolean) {
    return bucketPolicyStatements(bucket, batch)
        .filter(s => s.Effect === "Allow")
        .map(({ Principal, ...rest }) => rest);
}

const trustPolicy = {
    Version: "2012-10-17",
    Statement: [
        {
            Sid: "PersonalizeAssumeRole",
            Effect: "Allow",
            Principal: { Service: "personalize.amazonaws.com" },
            Action: "sts:AssumeRole",
            Condition: {
                StringEquals: { "aws:SourceAccount": ACCOUNT },
                StringLike: { "aws:SourceArn": `arn:aws:personalize:eu-west-1:${ACCOUNT}:*` },
            },
        },
    ],
};

describe("the program (index.ts) under mocks", () => {
    const runs: Record<string, ProgramRun> = {};

    before(async () => {
        // Every committed stack, in update and preview mode.
        const jobs = committedStacks().flatMap(stack => [false, true].map(preview => ({ stack, preview })));
        const results = await Promise.all(jobs.map(job => runProgram(job)));
        jobs.forEach((job, i) => (runs[`${job.stack}${job.preview ? ":preview" : ""}`] = results[i]));
    });

    it("runs every committed stack in both modes without an error or a warning", () => {
        for (const [name, run] of Object.entries(runs)) assert.deepEqual([run.error, run.warnings], [undefined, []], name);
    });

    it("has exactly the committed stacks dev (import), import (import into Personalize) and prod (batch)", () => {
        assert.deepEqual(committedStacks(), ["dev", "import", "prod"]);
        for (const run of Object.values(runs)) assert.equal(run.error, undefined);
    });

    for (const stack of ["dev", "prod"]) {
        describe(`stack ${stack}`, () => {
            const batch = stack === "prod";
            const bucket = batch ? PROD_BUCKET : DEV_BUCKET;
            const run = () => runs[stack];

            it("declares one component whose children are the bucket, its settings, the objects, the role and both policies", () => {
                const { resources } = run();
                const component = single(resources, TYPES.component);
                assert.equal(component.name, "personalize-data");
                // The engine's own resources: the stack, parent of the component, and the default aws provider.
                const root = single(resources, TYPES.stack);
                assert.equal(root.name, `personalize-data-bucket-${stack}`);
                assert.equal(component.parent, root.urn);
                assert.equal(single(resources, TYPES.awsProvider).name, "default_7_48_0");
                const children = resources.filter(r => ![component, root].includes(r) && r.type !== TYPES.awsProvider);
                for (const child of children) assert.equal(child.parent, component.urn, `${child.name} is not parented to the component`);
                assert.equal(ofType(resources, TYPES.datasets).length, 0, "no Personalize resources without datasetGroup");
                assert.deepEqual(
                    children.map(r => `${r.type} ${r.name}`).sort(),
                    [
                        `${TYPES.bucket} personalize-data`,
                        `${TYPES.publicAccessBlock} personalize-data-public-access-block`,
                        `${TYPES.ownership} personalize-data-ownership`,
                        `${TYPES.encryption} personalize-data-encryption`,
                        `${TYPES.versioning} personalize-data-versioning`,
                        `${TYPES.lifecycle} personalize-data-lifecycle`,
                        ...SAMPLE_FILES.map(f => `${TYPES.object} personalize-data-${f}`),
                        ...(batch ? [`${TYPES.object} personalize-data-users.jsonl`] : []),
                        `${TYPES.role} personalize-data-role`,
                        `${TYPES.rolePolicy} personalize-data-s3-access`,
                        `${TYPES.bucketPolicy} personalize-data-policy`,
                    ].sort(),
                );
            });

            it("hardens the bucket: name, tags, Block Public Access, owner-enforced, SSE-S3, versioning, lifecycle", () => {
                const { resources } = run();
                const b = single(resources, TYPES.bucket);
                assert.equal(b.inputs.bucket, bucket);
                assert.equal(b.inputs.forceDestroy, !batch, "dev may be force-destroyed, prod may not");
                assert.deepEqual(
                    b.inputs.tags,
                    batch
                        ? {
                              environment: "prod",
                              "personalize-workflow": "batch",
                              "personalize-data-prefix": "import/",
                              "personalize-batch-output": "batch/output/",
                          }
                        : { environment: "dev", "personalize-workflow": "import", "personalize-data-prefix": "import/" },
                );
                assert.equal(b.protect, batch);
                assert.equal(b.retainOnDelete, batch);
                assert.deepEqual(single(resources, TYPES.publicAccessBlock).inputs, {
                    bucket,
                    blockPublicAcls: true,
                    blockPublicPolicy: true,
                    ignorePublicAcls: true,
                    restrictPublicBuckets: true,
                });
                assert.deepEqual(single(resources, TYPES.ownership).inputs, { bucket, rule: { objectOwnership: "BucketOwnerEnforced" } });
                assert.deepEqual(single(resources, TYPES.encryption).inputs, {
                    bucket,
                    rules: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "AES256" } }],
                });
                assert.deepEqual(single(resources, TYPES.versioning).inputs, { bucket, versioningConfiguration: { status: "Enabled" } });
                const [rule] = single(resources, TYPES.lifecycle).inputs.rules;
                assert.deepEqual(rule.noncurrentVersionExpiration, { noncurrentDays: 90 });
                assert.deepEqual(rule.abortIncompleteMultipartUpload, { daysAfterInitiation: 7 });
            });

            it("uploads each sample CSV under the key prefix as text/csv from its file", () => {
                const objects = ofType(run().resources, TYPES.object);
                assert.deepEqual(
                    objects.map(o => ({
                        bucket: o.inputs.bucket,
                        key: o.inputs.key,
                        contentType: o.inputs.contentType,
                        path: o.inputs.source.path,
                    })),
                    [
                        ...SAMPLE_FILES.map(f => ({
                            bucket,
                            key: `import/${f}`,
                            contentType: "text/csv",
                            path: path.join(PROJECT_DIR, "data", f),
                        })),
                        // prod: the batch input files of batchInputDir, under the batch input folder, as JSON.
                        ...(batch
                            ? [
                                  {
                                      bucket,
                                      key: "batch/input/users.jsonl",
                                      contentType: "application/json",
                                      path: path.join(PROJECT_DIR, "batch-input", "users.jsonl"),
                                  },
                              ]
                            : []),
                    ],
                );
            });

            it("makes the role trust only Personalize of this account and region (confused-deputy conditions)", () => {
                const role = single(run().resources, TYPES.role);
                assert.deepEqual(policyOf(role, "assumeRolePolicy"), trustPolicy);
                assert.equal(role.inputs.name, `${bucket}-personalize`);
                assert.equal(role.inputs.tags["personalize-bucket"], bucket);
                assert.equal(role.inputs.tags["personalize-workflow"], batch ? "batch" : "import");
            });

            it("gives the role exactly the guide's S3 access, PutObject only on the batch output folder", () => {
                const { resources } = run();
                const rolePolicy = single(resources, TYPES.rolePolicy);
                assert.equal(rolePolicy.inputs.role, single(resources, TYPES.role).inputs.name);
                assert.equal(rolePolicy.inputs.name, "PersonalizeS3BucketAccessPolicy");
                assert.deepEqual(policyOf(rolePolicy), {
                    Version: "2012-10-17",
                    Id: "PersonalizeS3BucketAccessPolicy",
                    Statement: roleStatements(bucket, batch),
                });
            });

            it("grants the personalize.amazonaws.com principal the same in the bucket policy, plus a TLS-only deny", () => {
                const { resources } = run();
                const policy = single(resources, TYPES.bucketPolicy);
                assert.equal(policy.inputs.bucket, bucket);
                assert.deepEqual(policyOf(policy), {
                    Version: "2012-10-17",
                    Id: "PersonalizeS3BucketAccessPolicy",
                    Statement: bucketPolicyStatements(bucket, batch),
                });
                const needs = [TYPES.bucket, TYPES.publicAccessBlock].map(t => single(resources, t).urn);
                for (const urn of needs) assert.ok(policy.dependencies.includes(urn), `bucket policy must wait for ${urn}`);
            });

            it("exports the names, ARNs and s3:// locations (folders end in /)", () => {
                const b = `s3://${bucket}`;
                assert.deepEqual(run().outputs, {
                    bucketName: bucket,
                    bucketArn: `arn:aws:s3:::${bucket}`,
                    roleName: `${bucket}-personalize`,
                    roleArn: `arn:aws:iam::${ACCOUNT}:role/${bucket}-personalize`,
                    dataLocation: `${b}/import/`,
                    objectUris: Object.fromEntries(SAMPLE_FILES.map(f => [f, `${b}/import/${f}`])),
                    ...(batch && {
                        batchInputUris: { "users.jsonl": `${b}/batch/input/users.jsonl` },
                        batchInputLocation: `${b}/batch/input/`,
                        batchOutputLocation: `${b}/batch/output/`,
                    }),
                });
            });

            it("in preview, every policy document and the bucket policy's bucket are known, so policy packs judge them", () => {
                const preview = runs[`${stack}:preview`];
                assert.equal(preview.error, undefined);
                // The control: what AWS computes really is unknown in this preview.
                assert.equal(preview.outputs.roleArn, UNKNOWN);
                const known = (type: string, input: string) => {
                    const value = single(preview.resources, type).inputs[input];
                    assert.notEqual(value, UNKNOWN, `${type}.${input} is unknown in preview`);
                    assert.deepEqual(value, single(run().resources, type).inputs[input], `${type}.${input} differs from the update`);
                };
                known(TYPES.bucketPolicy, "policy");
                known(TYPES.bucketPolicy, "bucket");
                known(TYPES.rolePolicy, "policy");
                known(TYPES.rolePolicy, "role");
                known(TYPES.role, "assumeRolePolicy");
                known(TYPES.bucket, "tags");
                known(TYPES.role, "tags");
            });

            it("tags the role with the account and region the provider reports, known in preview, from which the pack judges the trust", async () => {
                const preview = runs[`${stack}:preview`];
                const tags = single(preview.resources, TYPES.role).inputs.tags;
                assert.deepEqual([tags["personalize-account"], tags["personalize-region"]], [ACCOUNT, "eu-west-1"]);
                const trust = (resources: RecordedResource[]) =>
                    runStackPolicies([personalizeRoleTrust], resources, { "personalize-role-trust": { partition: "aws" } });
                const edited = (edit: (role: RecordedResource) => void) => {
                    const resources: RecordedResource[] = structuredClone(preview.resources);
                    edit(single(resources, TYPES.role));
                    return resources;
                };
                const foreign = edited(
                    role => (role.inputs.assumeRolePolicy = JSON.stringify(personalizeTrustPolicy("aws", "eu-west-1", "999999999999"))),
                );
                assert.deepEqual((await trust(preview.resources)).violations, []);
                // A trust for another account, consistent in both keys, is judged against the tagged account...
                assert.match(
                    (await trust(foreign)).violations[0].message,
                    /it lets Personalize acting for accounts other than yours \(123456789012\)/,
                );
                // ...and without the tags, the trust alone can't vouch for its account.
                const untagged = edited(role => {
                    role.inputs.assumeRolePolicy = JSON.stringify(personalizeTrustPolicy("aws", "eu-west-1", "999999999999"));
                    delete role.inputs.tags["personalize-account"];
                    delete role.inputs.tags["personalize-region"];
                });
                assert.match(
                    (await trust(untagged)).violations[0].message,
                    /can't verify that it trusts the stack's own account: .*account 999999999999 /,
                );
            });
        });
    }

    describe("stack import (datasetGroup set): the data imported into Personalize in the same pulumi up", () => {
        const bucket = `personalize-data-import-${ACCOUNT}-eu-west-1`;
        const run = () => runs.import;
        const TYPES_PRESENT = ["interactions", "items", "users"] as const;
        const NATIVE = { interactions: "Interactions", items: "Items", users: "Users" };
        const personalizeArn = (resource: string) => `arn:aws:personalize:eu-west-1:${ACCOUNT}:${resource}`;

        it("declares the bucket component as without it, and beside it the group, a schema and a dataset per dataset type", () => {
            const { resources } = run();
            const root = single(resources, TYPES.stack);
            const datasets = single(resources, TYPES.datasets);
            assert.equal(datasets.name, "personalize-data");
            assert.equal(datasets.parent, root.urn, "a sibling of the bucket component, not its child");
            assert.deepEqual(
                resources
                    .filter(r => r.parent === datasets.urn)
                    .map(r => `${r.type} ${r.name}`)
                    .sort(),
                [
                    `${TYPES.datasetGroup} personalize-data-group`,
                    ...TYPES_PRESENT.flatMap(t => [
                        `${TYPES.schema} personalize-data-${t}-schema`,
                        `${TYPES.dataset} personalize-data-${t}`,
                    ]),
                ].sort(),
            );
            const bucketChildren = (r: ProgramRun) =>
                r.resources.filter(c => c.parent === single(r.resources, TYPES.component).urn).map(c => `${c.type} ${c.name}`);
            assert.deepEqual(bucketChildren(run()), bucketChildren(runs.dev), "same resources, same names as without datasetGroup");
            const provider = single(resources, TYPES.nativeProvider);
            assert.equal(provider.name, "default_1_79_0");
            assert.deepEqual(provider.inputs, { version: "1.79.0", region: "eu-west-1" });
        });

        it("uploads each file into the folder of its dataset type, under the same resource name", () => {
            assert.deepEqual(
                ofType(run().resources, TYPES.object).map(o => [o.name, o.inputs.key]),
                TYPES_PRESENT.map(t => [`personalize-data-${t}.csv`, `import/${t}/${t}.csv`]),
            );
        });

        it("creates each schema from the file the data checker validated against", () => {
            for (const type of TYPES_PRESENT) {
                const schema = run().resources.find(r => r.name === `personalize-data-${type}-schema`)!;
                assert.equal(schema.inputs.name, `personalize-data-import-${type}`);
                const file = JSON.parse(fs.readFileSync(path.join(PROJECT_DIR, "schemas", `${type}.json`), "utf8"));
                assert.deepEqual(JSON.parse(schema.inputs.schema), file);
            }
            assert.deepEqual(single(run().resources, TYPES.datasetGroup).inputs, { name: "personalize-data-import" });
        });

        it("imports each type's folder with the service role, after the objects and both policies, waiting up to datasetImportTimeout", async () => {
            const { resources } = run();
            const roleArn = `arn:aws:iam::${ACCOUNT}:role/${bucket}-personalize`;
            const waitsFor = [
                ...ofType(resources, TYPES.object),
                single(resources, TYPES.bucketPolicy),
                single(resources, TYPES.rolePolicy),
            ];
            for (const type of TYPES_PRESENT) {
                const dataset = resources.find(r => r.name === `personalize-data-${type}`)!;
                const file = path.join(PROJECT_DIR, "data", `${type}.csv`);
                assert.deepEqual(dataset.inputs, {
                    name: `personalize-data-import-${type}`,
                    datasetGroupArn: personalizeArn("dataset-group/personalize-data-import"),
                    datasetType: NATIVE[type],
                    schemaArn: personalizeArn(`schema/personalize-data-import-${type}`),
                    datasetImportJob: {
                        jobName: await importJobName(
                            "personalize-data-import",
                            type,
                            [file],
                            path.join(PROJECT_DIR, "schemas", `${type}.json`),
                        ),
                        dataSource: { dataLocation: `s3://${bucket}/import/${type}/` },
                        roleArn,
                    },
                });
                assert.match(dataset.inputs.datasetImportJob.jobName, new RegExp(`^${type}-[0-9a-f]{24}$`));
                for (const r of waitsFor) assert.ok(dataset.dependencies.includes(r.urn), `${dataset.name} must wait for ${r.name}`);
                assert.deepEqual(dataset.options!.customTimeouts, { create: 12 * 3600, update: 12 * 3600, delete: 0 });
            }
        });

        it("exports the dataset group ARN, the dataset ARNs and the current import job names", () => {
            const { outputs, resources } = run();
            assert.equal(outputs.datasetGroupArn, personalizeArn("dataset-group/personalize-data-import"));
            assert.deepEqual(
                outputs.datasetArns,
                Object.fromEntries(TYPES_PRESENT.map(t => [t, personalizeArn(`dataset/personalize-data-import/${t.toUpperCase()}`)])),
            );
            assert.deepEqual(
                outputs.importJobNames,
                Object.fromEntries(
                    ofType(resources, TYPES.dataset).map(d => [d.name.replace("personalize-data-", ""), d.inputs.datasetImportJob.jobName]),
                ),
            );
            assert.deepEqual(
                outputs.objectUris,
                Object.fromEntries(TYPES_PRESENT.map(t => [`${t}.csv`, `s3://${bucket}/import/${t}/${t}.csv`])),
            );
        });

        it("in preview, each import job (name, data location, role ARN) is known, so the pack judges it", () => {
            const preview = runs["import:preview"];
            assert.equal(preview.error, undefined);
            for (const dataset of ofType(preview.resources, TYPES.dataset)) {
                // The control: the dataset group's ARN, computed by AWS, is unknown in this preview.
                assert.equal(dataset.inputs.datasetGroupArn, UNKNOWN);
                const updated = run().resources.find(r => r.name === dataset.name)!;
                assert.deepEqual(dataset.inputs.datasetImportJob, updated.inputs.datasetImportJob);
            }
        });
    });

    it("batch differs from import only by PutObject on batch/output/ (both documents), tags and protection", () => {
        // Statements as text with the stack's bucket name taken out, so the two stacks compare.
        const statements = (run: ProgramRun, type: string) =>
            policyOf(single(run.resources, type)).Statement.map((s: any) =>
                JSON.stringify(s).replaceAll(String(run.outputs.bucketName), "BUCKET"),
            );
        for (const type of [TYPES.bucketPolicy, TYPES.rolePolicy]) {
            const dev = new Set(statements(runs.dev, type));
            const added = statements(runs.prod, type)
                .filter((s: string) => !dev.has(s))
                .map((s: string) => JSON.parse(s));
            assert.deepEqual(
                added.map((s: any) => [s.Sid, s.Action]),
                [["PersonalizePutBatchOutput", "s3:PutObject"]],
            );
        }
    });
});

describe("the program with kmsKey=create (prod: batch, protected; import: into a dataset group)", () => {
    const KEY = "aws:kms/key:Key";
    const ALIAS = "aws:kms/alias:Alias";
    const ROLE_ARN = `arn:aws:iam::${ACCOUNT}:role/${PROD_BUCKET}-personalize`;
    let update: ProgramRun;
    let preview: ProgramRun;
    let importUpdate: ProgramRun;
    before(async () => {
        [update, preview, importUpdate] = await Promise.all([
            ...[false, true].map(p => runProgram({ stack: "prod", preview: p, config: { kmsKey: "create" } })),
            runProgram({ stack: "import", config: { kmsKey: "create" } }),
        ]);
    });

    /** The pack over what the engine holds after the run, as `pulumi up` sends it, with the stack's pack config. */
    const judge = (resources: RecordedResource[], stack = "prod") =>
        runStackPolicies(
            policies,
            resources.map(r => ({ ...r, inputs: r.state ?? r.inputs })),
            JSON.parse(fs.readFileSync(path.join(PROJECT_DIR, "policypack", "config", `${stack}.json`), "utf8")),
        );
    const kmsAccess = (resources: RecordedResource[]) =>
        ofType(resources, TYPES.rolePolicy).find(r => r.inputs.name === "PersonalizeKmsKeyAccessPolicy")!;

    it("declares the key, its alias and the role's KMS grant, protected like the bucket, and exports the key's ARN", () => {
        assert.equal(update.error, undefined);
        const key = single(update.resources, KEY);
        assert.equal(key.name, "personalize-data-key");
        assert.deepEqual([key.protect, key.retainOnDelete], [true, true]);
        assert.deepEqual(single(update.resources, ALIAS).inputs.name, `alias/${PROD_BUCKET}`);
        assert.equal(kmsAccess(update.resources).name, "personalize-data-kms-access");
        assert.match(String(update.outputs.kmsKeyArn), new RegExp(`^arn:aws:kms:eu-west-1:${ACCOUNT}:key/[0-9a-f-]{36}$`));
        assert.equal(update.outputs.kmsKeyArn, key.state!.arn);
        assert.deepEqual(single(update.resources, TYPES.encryption).inputs.rules, [
            {
                applyServerSideEncryptionByDefault: { sseAlgorithm: "aws:kms", kmsMasterKeyId: update.outputs.kmsKeyArn },
                bucketKeyEnabled: true,
            },
        ]);
    });

    it("makes a key policy the pack accepts: no violation of any policy", async () => {
        assert.deepEqual((await judge(update.resources)).violations, []);
    });

    it("fails the pack when any one grant is removed from the key policy or the role's KMS policy", async () => {
        const edited = (type: string, name: string, edit: (statement: any) => void) => {
            const resources: RecordedResource[] = structuredClone(update.resources);
            const resource = resources.find(r => r.type === type && r.name === name)!;
            const document = JSON.parse(resource.state!.policy);
            edit(document.Statement.find((s: any) => s.Sid === "PersonalizeUseKey"));
            resource.state!.policy = JSON.stringify(document);
            return resources;
        };
        const without = (action: string) => (statement: any) => (statement.Action = statement.Action.filter((a: string) => a !== action));
        const cases: Array<[string, RecordedResource[]]> = [
            ...["kms:Decrypt", "kms:GenerateDataKey", "kms:DescribeKey", "kms:CreateGrant", "kms:ListGrants"].map(
                (action): [string, RecordedResource[]] => [
                    `key policy without ${action}`,
                    edited(KEY, "personalize-data-key", without(action)),
                ],
            ),
            ["key policy without the role", edited(KEY, "personalize-data-key", s => delete s.Principal.AWS)],
            ["key policy without personalize.amazonaws.com", edited(KEY, "personalize-data-key", s => delete s.Principal.Service)],
            ...["kms:Decrypt", "kms:GenerateDataKey", "kms:DescribeKey", "kms:ListGrants"].map((action): [string, RecordedResource[]] => [
                `role policy without ${action}`,
                edited(TYPES.rolePolicy, "personalize-data-kms-access", without(action)),
            ]),
        ];
        for (const [what, resources] of cases) {
            const violations = (await judge(resources)).violations;
            assert.deepEqual(
                violations.map(v => [v.policy, v.enforcementLevel]),
                [["personalize-kms-key-access", "mandatory"]],
                what,
            );
        }
    });

    it("creates the dataset group with the key and the service role, and the whole pack passes it; without Personalize in the key policy, the group fails too", async () => {
        assert.equal(importUpdate.error, undefined);
        const key = single(importUpdate.resources, KEY);
        const bucket = `personalize-data-import-${ACCOUNT}-eu-west-1`;
        assert.deepEqual(single(importUpdate.resources, TYPES.datasetGroup).inputs, {
            name: "personalize-data-import",
            kmsKeyArn: key.state!.arn,
            roleArn: `arn:aws:iam::${ACCOUNT}:role/${bucket}-personalize`,
        });
        assert.deepEqual((await judge(importUpdate.resources, "import")).violations, []);
        const resources: RecordedResource[] = structuredClone(importUpdate.resources);
        const edited = resources.find(r => r.type === KEY)!;
        const document = JSON.parse(edited.state!.policy);
        delete document.Statement.find((s: any) => s.Sid === "PersonalizeUseKey").Principal.Service;
        edited.state!.policy = JSON.stringify(document);
        const violations = (await judge(resources, "import")).violations;
        assert.deepEqual(
            violations.map(v => [v.policy, v.message.slice(0, v.message.indexOf(" is encrypted with"))]),
            [
                ["personalize-kms-key-access", `Personalize bucket "${bucket}" (import)`],
                ["personalize-kms-key-access", 'Personalize DatasetGroup "personalize-data-group"'],
            ],
        );
    });

    it("in preview, the key policy is known (built from partition, account and role name), only the key's ARN is not", async () => {
        assert.equal(preview.error, undefined);
        const key = single(preview.resources, KEY);
        assert.notEqual(key.inputs.policy, UNKNOWN);
        assert.deepEqual(key.inputs.policy, single(update.resources, KEY).inputs.policy);
        assert.deepEqual(policyOf(key).Statement[1].Principal, { AWS: ROLE_ARN, Service: "personalize.amazonaws.com" });
        assert.equal(preview.outputs.kmsKeyArn, UNKNOWN);
        assert.equal(
            single(preview.resources, TYPES.encryption).inputs.rules[0].applyServerSideEncryptionByDefault.kmsMasterKeyId,
            UNKNOWN,
        );
        assert.equal(kmsAccess(preview.resources).inputs.policy, UNKNOWN);
        // What reads the key's ARN can't run until the key exists: advisory, never a pass or a failure.
        const violations = (await judge(preview.resources)).violations;
        assert.deepEqual(
            violations.map(v => [v.policy, v.enforcementLevel, v.message.startsWith(`can't run policy '${v.policy}' during preview`)]),
            [
                ["personalize-role-access", "advisory", true],
                ["policy-document-validity", "advisory", true],
                ["known-condition-keys", "advisory", true],
                ["personalize-least-privilege", "advisory", true],
                ["personalize-kms-key-access", "advisory", true],
                ["personalize-kms-key-outside-stack", "advisory", true],
            ],
        );
    });
});

describe("the program in another partition", () => {
    it("derives every ARN and the trust conditions from the provider's partition and region", async () => {
        const run = await runProgram({
            stack: "dev",
            config: { "aws:region": "cn-north-1" },
            account: { partition: "aws-cn", region: "cn-north-1" },
        });
        assert.equal(run.error, undefined);
        const bucket = `personalize-data-dev-${ACCOUNT}-cn-north-1`;
        const trust = policyOf(single(run.resources, TYPES.role), "assumeRolePolicy");
        assert.equal(trust.Statement[0].Condition.StringLike["aws:SourceArn"], `arn:aws-cn:personalize:cn-north-1:${ACCOUNT}:*`);
        const resources = policyOf(single(run.resources, TYPES.bucketPolicy)).Statement.flatMap((s: any) => [s.Resource].flat());
        assert.ok(resources.length > 0);
        for (const arn of resources) assert.match(arn, new RegExp(`^arn:aws-cn:s3:::${bucket}(/|$)`));
        assert.equal(run.outputs.bucketArn, `arn:aws-cn:s3:::${bucket}`);
    });
});

describe("the program with bad input", () => {
    let badPrefix: ProgramRun;
    let noFolder: ProgramRun;
    let badData: ProgramRun;
    let badDataDir: string;
    before(async () => {
        badDataDir = fs.mkdtempSync(path.join(os.tmpdir(), "personalize-bad-data-"));
        for (const file of SAMPLE_FILES) fs.copyFileSync(path.join(PROJECT_DIR, "data", file), path.join(badDataDir, file));
        // A BOM glued to the first column name: one of the commonest reasons an import fails.
        fs.writeFileSync(path.join(badDataDir, "users.csv"), `\uFEFF${fs.readFileSync(path.join(badDataDir, "users.csv"), "utf8")}`);
        [badPrefix, noFolder, badData] = await Promise.all([
            runProgram({ stack: "dev", config: { keyPrefix: "/import" } }),
            runProgram({ stack: "prod", config: { dataDir: "no-such-folder" } }),
            runProgram({ stack: "prod", preview: true, config: { dataDir: badDataDir } }),
        ]);
    });
    after(() => fs.rmSync(badDataDir, { recursive: true, force: true }));

    it("stops before declaring anything, naming the stack file and config key of a bad component argument", () => {
        assert.equal(
            badPrefix.error,
            'Pulumi.dev.yaml: config personalize-data-bucket:keyPrefix: must not start with "/", got "/import"; ' +
                'use folder names of letters, digits, ".", "_" and "-" separated by "/", e.g. "personalize/import"',
        );
        assert.deepEqual(
            badPrefix.resources.map(r => r.type),
            [TYPES.stack],
            "nothing but the stack itself",
        );
    });

    it("names the missing data folder and the key that points at it", () => {
        assert.equal(
            noFolder.error,
            `Pulumi.prod.yaml: config personalize-data-bucket:dataDir: data folder "${path.join(PROJECT_DIR, "no-such-folder")}" ` +
                "does not exist; point it at the folder that holds your CSV files",
        );
        assert.deepEqual(
            noFolder.resources.map(r => r.type),
            [TYPES.stack],
            "nothing but the stack itself",
        );
    });

    it("fails preview on a CSV Personalize would reject, naming file, line and rule, before declaring anything", () => {
        assert.equal(
            badData.error,
            "the CSV files fail Personalize's format checks; fix them before they are uploaded:\n" +
                `${path.join(badDataDir, "users.csv")}:1: header-bom: the file starts with a UTF-8 byte-order mark; remove the byte-order mark (save as UTF-8 without BOM)`,
        );
        assert.deepEqual(
            badData.resources.map(r => r.type),
            [TYPES.stack],
            "nothing but the stack itself",
        );
    });
});
