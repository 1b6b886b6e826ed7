import * as assert from "node:assert/strict";
import { bucketPolicy, roleAccessPolicy, personalizeTrustPolicy } from "../../components/policy-documents";
import type { PackConfigFile } from "../../offline/policy-engine";
import { personalizeLeastPrivilege } from "../../policypack/policies/personalize-least-privilege";
import { StackBuilder } from "./stack-builder";

const B = "data-bucket";
const ARN = `arn:aws:s3:::${B}`;
const PERSONALIZE = { Service: "personalize.amazonaws.com" };
const ROLE = "personalize-role";

const WRITER = "arn:aws:iam::210987654321:role/pipeline";

/**
 * A Personalize bucket with the component's own documents, plus a bucket policy and role policy under test; with
 * `writers`, the data writers' grant of a stack whose pipeline writes the data under import/.
 */
function stack(workflow: "import" | "batch", extra: { bucket?: object[]; role?: object[]; writers?: string[] } = {}): StackBuilder {
    const s = new StackBuilder();
    s.bucket(B, {
        "personalize-workflow": workflow,
        "personalize-data-prefix": "import/",
        ...(workflow === "batch" && { "personalize-batch-output": "batch/output/" }),
    });
    const writers = extra.writers && { dataWriters: { roleArns: extra.writers, keyPrefix: "import" } };
    const access =
        workflow === "batch"
            ? { partition: "aws", bucketName: B, workflow, batchOutputPrefix: "batch/output", ...writers }
            : { partition: "aws", bucketName: B, workflow, ...writers };
    s.bucketPolicy(B, JSON.stringify(bucketPolicy(access as never, (extra.bucket ?? []) as Record<string, unknown>[])));
    s.role(ROLE, JSON.stringify(personalizeTrustPolicy("aws", "eu-west-1", "123456789012")), { "personalize-bucket": B });
    s.rolePolicy(ROLE, JSON.stringify(roleAccessPolicy(access as never)));
    if (extra.role) s.rolePolicy(ROLE, JSON.stringify({ Version: "2012-10-17", Statement: extra.role }), "extra-access");
    return s;
}

async function run(s: StackBuilder, config: PackConfigFile = {}) {
    return (await s.run([personalizeLeastPrivilege], config)).violations;
}
const messages = async (s: StackBuilder) => (await run(s)).map(v => v.message);

const principalJson = '"Principal":{"Service":"personalize.amazonaws.com"},';
const list = (p = principalJson) => `{"Effect":"Allow",${p}"Action":"s3:ListBucket","Resource":"${ARN}"}`;
const get = (p = principalJson) => `{"Effect":"Allow",${p}"Action":"s3:GetObject","Resource":"${ARN}/*"}`;
const put = (p = principalJson) => `{"Effect":"Allow",${p}"Action":"s3:PutObject","Resource":"${ARN}/batch/output/*"}`;
const lead = (
    sid: string,
    workflow = "batch",
    where = `BucketPolicy "${B}-policy"`,
    grantee = "Amazon Personalize (personalize.amazonaws.com)",
) => `${where}, statement "${sid}": it gives ${grantee} more than the ${workflow} workflow of bucket "${B}" needs: `;

describe("personalize-least-privilege", () => {
    it("passes the component's own documents, import and batch", async () => {
        assert.deepEqual(await messages(stack("import")), []);
        assert.deepEqual(await messages(stack("batch")), []);
    });

    it("flags PutObject on the whole bucket of a batch bucket, and writes the narrowed statements", async () => {
        const wide = {
            Sid: "Wide",
            Effect: "Allow",
            Principal: PERSONALIZE,
            Action: ["s3:GetObject", "s3:ListBucket", "s3:PutObject"],
            Resource: [ARN, `${ARN}/*`],
        };
        assert.deepEqual(await messages(stack("batch", { bucket: [wide] })), [
            lead("Wide") +
                `grants s3:PutObject on "${ARN}/*", outside the batch output folder "${ARN}/batch/output/". Replace it with ${list()} and ${get()} and ${put()}.`,
        ]);
    });

    it("keeps PutObject to patterns whose text before the first wildcard is inside the output folder", async () => {
        const putOn = (resource: string) => [
            { Sid: "Put", Effect: "Allow", Principal: PERSONALIZE, Action: "s3:PutObject", Resource: resource },
        ];
        for (const inside of [`${ARN}/batch/output/*`, `${ARN}/batch/output/job-?/*`, `${ARN}/batch/output/result.json`]) {
            assert.deepEqual(await messages(stack("batch", { bucket: putOn(inside) })), [], inside);
        }
        for (const outside of [`${ARN}/batch/out*`, `${ARN}/batch/output`, `${ARN}/*/output/*`, `${ARN}/batch/input/x`]) {
            assert.deepEqual(
                await messages(stack("batch", { bucket: putOn(outside) })),
                [
                    lead("Put") +
                        `grants s3:PutObject on "${outside}", outside the batch output folder "${ARN}/batch/output/". Replace it with ${put()}.`,
                ],
                outside,
            );
        }
    });

    it("flags any PutObject for an import bucket", async () => {
        const s = stack("import", { role: [{ Sid: "Upload", Effect: "Allow", Action: "s3:PutObject", Resource: `${ARN}/import/*` }] });
        assert.deepEqual(await messages(s), [
            lead("Upload", "import", 'RolePolicy "extra-access"', `the service role "${ROLE}"`) +
                "grants s3:PutObject, which an import bucket's workflow never needs. Remove the statement: Personalize needs none of what it grants.",
        ]);
    });

    it("flags deletes and other writes named one by one", async () => {
        const s = stack("batch", {
            bucket: [
                {
                    Sid: "Tidy",
                    Effect: "Allow",
                    Principal: PERSONALIZE,
                    Action: ["s3:DeleteObject", "s3:PutObjectAcl", "s3:GetObject"],
                    Resource: `${ARN}/*`,
                },
            ],
        });
        assert.deepEqual(await messages(s), [
            lead("Tidy") +
                "grants s3:DeleteObject: deletes, which Personalize never makes; grants s3:PutObjectAcl: writes Personalize never makes. " +
                `Replace it with ${get()}.`,
        ]);
    });

    it('flags wildcard actions that expand to writes, of S3 and other services, and "*" resources', async () => {
        const s = stack("import", {
            role: [
                { Sid: "Everything", Effect: "Allow", Action: ["s3:*", "kms:*"], Resource: "*" },
                { Sid: "Reads", Effect: "Allow", Action: ["s3:Get*", "s3:List*"], Resource: [ARN, `${ARN}/*`] },
                { Sid: "Key", Effect: "Allow", Action: "kms:Decrypt", Resource: "arn:aws:kms:eu-west-1:123456789012:key/k" },
                { Sid: "NoDeletes", Effect: "Deny", Action: "s3:*", Resource: "*" },
                { Sid: "AnyService", Effect: "Allow", Action: "*", Resource: `${ARN}/*` },
            ],
        });
        const role = (sid: string) => lead(sid, "import", 'RolePolicy "extra-access"', `the service role "${ROLE}"`);
        assert.deepEqual(await messages(s), [
            role("Everything") +
                '"s3:*" expands to 96 write actions (s3:DeleteObject, s3:DeleteObjectAnnotation, s3:DeleteObjectTagging and 93 more); ' +
                '"kms:*" expands to 42 write actions (kms:DeleteAlias, kms:DeleteCustomKeyStore, kms:DeleteImportedKeyMaterial and 39 more); ' +
                `grants s3:PutObject, which an import bucket's workflow never needs; reaches "*", beyond bucket "${B}". Replace it with ${list("")} and ${get("")}.`,
            role("AnyService") +
                `"*" grants actions of every service it matches, writes among them; grants s3:PutObject, which an import bucket's workflow never needs. ` +
                `Replace it with ${list("")} and ${get("")}.`,
        ]);
    });

    it("flags NotAction and NotResource", async () => {
        const s = stack("batch", {
            bucket: [
                {
                    Sid: "AllBut",
                    Effect: "Allow",
                    Principal: PERSONALIZE,
                    NotAction: "s3:DeleteObject",
                    NotResource: "arn:aws:s3:::other/*",
                },
            ],
        });
        assert.deepEqual(await messages(s), [
            lead("AllBut") +
                "NotAction allows every action of every service it doesn't list, 95 S3 write actions among them (s3:DeleteObjectAnnotation, s3:DeleteObjectTagging, s3:DeleteObjectVersion and 92 more); " +
                `NotResource reaches every resource it doesn't list. Replace it with ${list()} and ${get()} and ${put()}.`,
        ]);
    });

    it("flags access to other buckets, and a bucket pattern that also matches other buckets", async () => {
        const s = stack("import", {
            role: [
                {
                    Sid: "Others",
                    Effect: "Allow",
                    Action: "s3:GetObject",
                    Resource: [`${ARN}/*`, "arn:aws:s3:::other-bucket/*", `${ARN}*`],
                },
            ],
        });
        assert.deepEqual(await messages(s), [
            lead("Others", "import", 'RolePolicy "extra-access"', `the service role "${ROLE}"`) +
                `reaches "arn:aws:s3:::other-bucket/*", "${ARN}*", beyond bucket "${B}". Replace it with ${get("")}.`,
        ]);
    });

    it('judges bucket-policy grants to the service role\'s ARN, and leaves Deny, "*" and other principals alone', async () => {
        const roleArn = `arn:aws:iam::123456789012:role/service/${ROLE}`;
        const s = stack("import", {
            bucket: [
                { Sid: "RoleWrites", Effect: "Allow", Principal: { AWS: roleArn }, Action: "s3:PutObject", Resource: `${ARN}/*` },
                { Sid: "NoDeletes", Effect: "Deny", Principal: PERSONALIZE, Action: "s3:*", Resource: `${ARN}/*` },
                {
                    Sid: "Team",
                    Effect: "Allow",
                    Principal: { AWS: "arn:aws:iam::123456789012:role/team" },
                    Action: "s3:*",
                    Resource: `${ARN}/*`,
                },
                {
                    Sid: "Anyone",
                    Effect: "Allow",
                    Principal: "*",
                    Action: "s3:*",
                    Resource: `${ARN}/*`,
                    Condition: { StringEquals: { "aws:PrincipalOrgID": "o-abc" } },
                },
            ],
        });
        assert.deepEqual(await messages(s), [
            lead("RoleWrites", "import", `BucketPolicy "${B}-policy"`, "Personalize's service role") +
                "grants s3:PutObject, which an import bucket's workflow never needs. Remove the statement: Personalize needs none of what it grants.",
        ]);
    });

    it("is advisory by default and mandatory where a stack's config says so", async () => {
        const s = stack("import", { role: [{ Sid: "Upload", Effect: "Allow", Action: "s3:PutObject", Resource: `${ARN}/*` }] });
        assert.deepEqual(
            (await run(s)).map(v => v.enforcementLevel),
            ["advisory"],
        );
        assert.deepEqual(
            (await run(s, { "personalize-least-privilege": "mandatory" })).map(v => v.enforcementLevel),
            ["mandatory"],
        );
    });

    describe("data writers (the principals of the DataWritersPutObject statement)", () => {
        const writerLead = (sid: string, who = WRITER) =>
            `BucketPolicy "${B}-policy", statement "${sid}": it gives the data writer ${who} more than writing the data of bucket "${B}" needs: `;
        const narrowed = `{"Effect":"Allow","Principal":{"AWS":"${WRITER}"},"Action":["s3:PutObject","s3:AbortMultipartUpload"],"Resource":"${ARN}/import/*"}`;
        const writerStatement = (sid: string, action: string | string[], resource: string | string[]) => ({
            Sid: sid,
            Effect: "Allow",
            Principal: { AWS: WRITER },
            Action: action,
            Resource: resource,
        });

        it("passes the component's grant to its data writers, import and batch, one writer or several", async () => {
            assert.deepEqual(await messages(stack("import", { writers: [WRITER] })), []);
            assert.deepEqual(await messages(stack("batch", { writers: [WRITER, "arn:aws:iam::123456789012:role/etl/nightly"] })), []);
            // Reads of its own folder are the writer's own data.
            assert.deepEqual(
                await messages(
                    stack("batch", { writers: [WRITER], bucket: [writerStatement("ReadBack", "s3:GetObject", `${ARN}/import/*`)] }),
                ),
                [],
            );
        });

        it("flags writes outside the import folder, and into the batch output folder by name", async () => {
            const s = stack("batch", {
                writers: [WRITER],
                bucket: [
                    writerStatement("Anywhere", "s3:PutObject", `${ARN}/*`),
                    writerStatement("Output", "s3:PutObject", `${ARN}/batch/output/part-0.json`),
                    writerStatement("Elsewhere", "s3:AbortMultipartUpload", [`${ARN}/import/*`, `${ARN}/staging/*`]),
                ],
            });
            assert.deepEqual(await messages(s), [
                writerLead("Anywhere") +
                    `lets it write under "${ARN}/*", which reaches the batch output folder "${ARN}/batch/output/", where only batch jobs write. Replace it with ${narrowed}.`,
                writerLead("Output") +
                    `lets it write under "${ARN}/batch/output/part-0.json", which reaches the batch output folder "${ARN}/batch/output/", where only batch jobs write. Replace it with ${narrowed}.`,
                writerLead("Elsewhere") +
                    `lets it write under "${ARN}/staging/*", outside the import folder "${ARN}/import/". Replace it with ${narrowed}.`,
            ]);
        });

        it("flags deletes, other writes and reads of other data, in the component's own statement too", async () => {
            const s = stack("import", {
                writers: [WRITER],
                bucket: [
                    writerStatement("Cleanup", ["s3:DeleteObject", "s3:PutObject"], `${ARN}/import/*`),
                    writerStatement("Tagging", "s3:PutObjectTagging", `${ARN}/import/*`),
                    writerStatement("ReadAll", ["s3:GetObject", "s3:ListBucket"], [ARN, `${ARN}/*`]),
                ],
            });
            assert.deepEqual(await messages(s), [
                writerLead("Cleanup") +
                    `grants s3:DeleteObject: deletes, which could remove data an import is reading. Replace it with ${narrowed}.`,
                writerLead("Tagging") +
                    `grants s3:PutObjectTagging: writes that writing the data never needs. Replace it with ${narrowed}.`,
                writerLead("ReadAll") +
                    `lets it read s3:GetObject, s3:ListBucket on "${ARN}/*": data beyond the import folder "${ARN}/import/". Replace it with ${narrowed}.`,
            ]);
            // The statement that names the writers is judged too: here a hand-made one that grants them all of S3.
            const widened = stack("import", { bucket: [writerStatement("DataWritersPutObject", "s3:*", `${ARN}/*`)] });
            assert.deepEqual(await messages(widened), [
                writerLead("DataWritersPutObject") +
                    "grants s3:DeleteObject, s3:DeleteObjectAnnotation, s3:DeleteObjectTagging and 20 more: deletes, which could remove data an import is reading; " +
                    "grants s3:PutObjectAcl, s3:PutObjectAnnotation, s3:PutObjectLegalHold and 68 more: writes that writing the data never needs; " +
                    `lets it write under "${ARN}/*", outside the import folder "${ARN}/import/"; ` +
                    `lets it read s3:GetObject, s3:GetObjectAcl, s3:GetObjectAnnotation and 81 more on "${ARN}/*": data beyond the import folder "${ARN}/import/". ` +
                    `Replace it with ${narrowed}.`,
            ]);
        });
    });

    it("says nothing of a document it can't read (the document check reports it once)", async () => {
        const s = stack("import");
        s.rolePolicy(ROLE, "{not json", "broken-access");
        s.bucketPolicy(B, { Statement: "nope" }, "broken-policy");
        assert.deepEqual(await messages(s), []);
    });
});
