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
const KMS_ACTIONS = ["kms:Decrypt", "kms:GenerateDataKey", "kms:DescribeKey", "kms:CreateGrant", "kms:ListGrants"];
const ROLE_KMS_ACTIONS = KMS_ACTIONS.filter(a => a !== "kms:CreateGrant");
const kmsGrant = (actions: string[], resource: string | string[]) =>
    JSON.stringify({ Effect: "Allow", Action: actions.length === 1 ? actions[0] : actions, Resource: resource });
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
                '"kms:*" expands to 51 KMS actions Personalize never needs (kms:DeleteAlias, kms:DeleteCustomKeyStore, kms:DeleteImportedKeyMaterial and 48 more); ' +
                `grants s3:PutObject, which an import bucket's workflow never needs; reaches "*", beyond bucket "${B}"; ` +
                'reaches "*": every KMS key it matches, not only the keys Personalize uses. ' +
                `Replace it with ${list("")} and ${get("")} and ${kmsGrant(KMS_ACTIONS, "arn:aws:kms:<region>:<account>:key/<id of the key Personalize uses>")}.`,
            role("AnyService") +
                `"*" grants actions of every service it matches, writes among them; grants s3:PutObject, which an import bucket's workflow never needs. ` +
                `Replace it with ${list("")} and ${get("")}.`,
        ]);
    });

    describe("the service role's KMS statements: the actions Personalize needs, on the keys it uses", () => {
        const KEY_ARN = "arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab";
        const GROUP_KEY_ARN = "arn:aws:kms:eu-west-1:123456789012:key/0000abcd-12ab-34cd-56ef-1234567890ab";
        /** A bucket encrypted with a declared key (SSE-KMS) and, optionally, a dataset group created with another key and the role. */
        const kmsStack = (statements: object[], { groupKey = false } = {}) => {
            const k = stack("import", { role: statements });
            k.add("aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration", `${B}-encryption`, {
                bucket: B,
                rules: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "aws:kms", kmsMasterKeyId: KEY_ARN } }],
            });
            if (groupKey) {
                k.add("aws-native:personalize:DatasetGroup", "retail-group", {
                    name: "retail",
                    kmsKeyArn: GROUP_KEY_ARN,
                    roleArn: `arn:aws:iam::123456789012:role/${ROLE}`,
                });
            }
            return k;
        };
        const role = (sid: string) => lead(sid, "import", 'RolePolicy "extra-access"', `the service role "${ROLE}"`);
        const kms = (sid: string, action: string | string[], resource: string | string[] = KEY_ARN) => ({
            Sid: sid,
            Effect: "Allow",
            Action: action,
            Resource: resource,
        });

        it("passes the guide's four actions, and kms:CreateGrant, on the key's ARN", async () => {
            assert.deepEqual(await messages(kmsStack([kms("UseKey", ROLE_KMS_ACTIONS)])), []);
            assert.deepEqual(await messages(kmsStack([kms("UseKey", KMS_ACTIONS)])), []);
        });

        it('flags "kms:*" and other wildcards that reach actions beyond the need', async () => {
            assert.deepEqual(await messages(kmsStack([kms("AllKms", "kms:*"), kms("Reads", ["kms:Describe*", "kms:Decrypt"])])), [
                role("AllKms") +
                    '"kms:*" expands to 51 KMS actions Personalize never needs (kms:DeleteAlias, kms:DeleteCustomKeyStore, kms:DeleteImportedKeyMaterial and 48 more). ' +
                    `Replace it with ${kmsGrant(KMS_ACTIONS, KEY_ARN)}.`,
                role("Reads") +
                    '"kms:Describe*" expands to 1 KMS actions Personalize never needs (kms:DescribeCustomKeyStores). ' +
                    `Replace it with ${kmsGrant(["kms:Decrypt", "kms:DescribeKey"], KEY_ARN)}.`,
            ]);
        });

        it("flags KMS actions named one by one that Personalize never needs", async () => {
            assert.deepEqual(
                await messages(kmsStack([kms("Crypto", ["kms:Decrypt", "kms:Encrypt", "kms:ReEncryptFrom", "kms:ScheduleKeyDeletion"])])),
                [
                    role("Crypto") +
                        "grants kms:Encrypt, kms:ReEncryptFrom, kms:ScheduleKeyDeletion: KMS actions Personalize never needs. " +
                        `Replace it with ${kmsGrant(["kms:Decrypt"], KEY_ARN)}.`,
                ],
            );
        });

        it('flags "*", key wildcards and NotResource, and keys Personalize doesn\'t use', async () => {
            const other = "arn:aws:kms:eu-west-1:123456789012:key/9999abcd-12ab-34cd-56ef-1234567890ab";
            assert.deepEqual(
                await messages(
                    kmsStack([
                        kms("AnyKey", ROLE_KMS_ACTIONS, "*"),
                        kms("AccountKeys", "kms:Decrypt", "arn:aws:kms:eu-west-1:123456789012:key/*"),
                        kms("TwoKeys", "kms:Decrypt", [KEY_ARN, other]),
                        { Sid: "AllBut", Effect: "Allow", Action: "kms:Decrypt", NotResource: other },
                    ]),
                ),
                [
                    role("AnyKey") +
                        'reaches "*": every KMS key it matches, not only the keys Personalize uses. ' +
                        `Replace it with ${kmsGrant(ROLE_KMS_ACTIONS, KEY_ARN)}.`,
                    role("AccountKeys") +
                        'reaches "arn:aws:kms:eu-west-1:123456789012:key/*": every KMS key it matches, not only the keys Personalize uses. ' +
                        `Replace it with ${kmsGrant(["kms:Decrypt"], KEY_ARN)}.`,
                    role("TwoKeys") +
                        `reaches "${other}": KMS keys Personalize doesn't use here (${KEY_ARN}). Replace it with ${kmsGrant(["kms:Decrypt"], KEY_ARN)}.`,
                    role("AllBut") +
                        `NotResource reaches every resource it doesn't list. Replace it with ${kmsGrant(["kms:Decrypt"], KEY_ARN)}.`,
                ],
            );
        });

        it("counts the key of a dataset group created with the role among the keys it uses", async () => {
            assert.deepEqual(
                await messages(kmsStack([kms("BothKeys", ROLE_KMS_ACTIONS, [KEY_ARN, GROUP_KEY_ARN])], { groupKey: true })),
                [],
            );
            assert.deepEqual(await messages(kmsStack([kms("BothKeys", ROLE_KMS_ACTIONS, [KEY_ARN, GROUP_KEY_ARN])])), [
                role("BothKeys") +
                    `reaches "${GROUP_KEY_ARN}": KMS keys Personalize doesn't use here (${KEY_ARN}). Replace it with ${kmsGrant(ROLE_KMS_ACTIONS, KEY_ARN)}.`,
            ]);
        });

        it("judges KMS actions on resources that are no key as any other wildcard, and suggests no KMS grant for them", async () => {
            const onObjects = { Sid: "OnObjects", Effect: "Allow", Action: ["s3:GetObject", "kms:*"], Resource: `${ARN}/*` };
            assert.deepEqual(await messages(kmsStack([onObjects])), [
                role("OnObjects") +
                    '"kms:*" expands to 42 write actions (kms:DeleteAlias, kms:DeleteCustomKeyStore, kms:DeleteImportedKeyMaterial and 39 more). ' +
                    `Replace it with ${get("")}.`,
            ]);
        });
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
