import assert from "node:assert/strict";
import { UNKNOWN } from "../../offline/recorder";
import { policies } from "../../policypack/policies";
import { policyDocumentValidity } from "../../policypack/policies/policy-document-validity";
import { ACCOUNT, StackBuilder, guideBucketPolicy, personalizeTrust, validStack } from "./stack-builder";

const B = "data-bucket";
const ARN = `arn:aws:s3:::${B}`;
const ROLE = "personalize-role";
const BUCKET_POLICY = `BucketPolicy "${B}-policy"`;
const S3_REJECTS = "S3 rejects it at PutBucketPolicy, and the pack's other policies skip the document until it is fixed.";
const INVALID_ACTION = 'S3 rejects the bucket policy with "Policy has invalid action"';
const LOOK_UP = "Use an action the service lists in the AWS service authorization reference.";

/** A Personalize import bucket with the given bucket policy (a JSON string, or an object as given). */
function bucketWith(policy: unknown): StackBuilder {
    const stack = new StackBuilder();
    stack.bucket(B, { "personalize-workflow": "import" });
    stack.bucketPolicy(B, policy);
    return stack;
}

/** The guide's bucket policy with its one grant changed. */
function guideWith(change: Record<string, unknown>): object {
    const doc = guideBucketPolicy(B);
    return { ...doc, Statement: [{ ...doc.Statement[0], ...change }] };
}

/** A Personalize role on the bucket with the given trust policy and inline role policies. */
function roleWith(trust: unknown, ...inline: unknown[]): StackBuilder {
    const stack = new StackBuilder();
    stack.bucket(B, { "personalize-workflow": "import" });
    stack.role(ROLE, trust, { "personalize-bucket": B });
    inline.forEach((policy, i) => stack.rolePolicy(ROLE, policy, `${ROLE}-inline-${i}`));
    return stack;
}

const identityGrant = (actions: unknown, extra: object = {}) => ({
    Version: "2012-10-17",
    Statement: [{ Effect: "Allow", Action: actions, Resource: [ARN, `${ARN}/*`], ...extra }],
});

/** Changes the first statement of the stack's trust policy. */
function editTrust(stack: StackBuilder, change: (statement: any) => void): void {
    const role = stack.resources.find(r => r.type === "aws:iam/role:Role")!;
    const trust = JSON.parse(role.inputs.assumeRolePolicy);
    change(trust.Statement[0]);
    role.inputs.assumeRolePolicy = JSON.stringify(trust);
}

async function messages(stack: StackBuilder): Promise<string[]> {
    const report = await stack.run([policyDocumentValidity]);
    for (const v of report.violations) assert.equal(v.enforcementLevel, "mandatory", v.message);
    return report.violations.map(v => v.message);
}

describe("policy-document-validity", () => {
    it("passes the valid stacks' bucket policy, trust policy and role policy", async () => {
        assert.deepEqual(await messages(validStack(B, "import")), []);
        assert.deepEqual(await messages(validStack(B, "batch")), []);
    });

    describe("JSON text", () => {
        it("refuses a repeated Statement key, naming it and its line:column", async () => {
            const grant = JSON.stringify(guideBucketPolicy(B).Statement);
            const text = `{\n  "Version": "2012-10-17",\n  "Statement": ${grant},\n  "Statement": [{"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": "${ARN}/*"}]\n}`;
            assert.deepEqual(await messages(bucketWith(text)), [
                `${BUCKET_POLICY}: Policy text has the key "Statement" twice in the document (line 3:3 and line 4:3); ` +
                    `JSON parsers keep only the last one, so the first would be silently dropped: merge them into one key. ${S3_REJECTS}`,
            ]);
        });

        it("refuses comments and trailing commas", async () => {
            const text = JSON.stringify(guideBucketPolicy(B), null, 2).replace(
                '"Version": "2012-10-17",',
                '"Version": "2012-10-17", // current',
            );
            assert.deepEqual(await messages(bucketWith(text)), [
                `${BUCKET_POLICY}: Policy is not valid JSON: comments are not allowed in a policy at line 2:28; fix the JSON text. ${S3_REJECTS}`,
            ]);
            assert.deepEqual(await messages(bucketWith(JSON.stringify(guideBucketPolicy(B)).replace(/\]\}$/, ",]}"))), [
                `${BUCKET_POLICY}: Policy is not valid JSON: expected a value (a trailing comma is not allowed) at line 1:${JSON.stringify(guideBucketPolicy(B)).length}; fix the JSON text. ${S3_REJECTS}`,
            ]);
        });
    });

    describe("bucket-policy statements", () => {
        it("refuses a statement without Resource or NotResource, saying what to add", async () => {
            const { Resource: _resource, ...grant } = guideBucketPolicy(B).Statement[0];
            assert.deepEqual(await messages(bucketWith({ Version: "2012-10-17", Statement: [grant] })), [
                `${BUCKET_POLICY}: Statement[0] "PersonalizeS3BucketAccessPolicy": a bucket-policy statement needs Resource (or NotResource); ` +
                    `S3 rejects it at PutBucketPolicy. Add e.g. "Resource": ["${ARN}", "${ARN}/*"].`,
            ]);
            assert.deepEqual(
                await messages(bucketWith({ Version: "2012-10-17", Statement: [{ ...grant, NotResource: `${ARN}/private/*` }] })),
                [],
            );
        });

        it("refuses a statement without Principal or NotPrincipal", async () => {
            const { Principal: _principal, ...grant } = guideBucketPolicy(B).Statement[0];
            assert.deepEqual(await messages(bucketWith({ Version: "2012-10-17", Statement: [grant] })), [
                `${BUCKET_POLICY}: Statement "PersonalizeS3BucketAccessPolicy": needs Principal (or NotPrincipal) in a resource policy; ` +
                    `add e.g. "Principal": {"Service": "personalize.amazonaws.com"}. ${S3_REJECTS}`,
            ]);
        });

        it("refuses a Version other than 2012-10-17 and 2008-10-17, and accepts both and none", async () => {
            assert.deepEqual(await messages(bucketWith({ ...guideBucketPolicy(B), Version: "2012-10-18" })), [
                `${BUCKET_POLICY}: Policy Version must be "2012-10-17" (or the legacy "2008-10-17"), got "2012-10-18". ${S3_REJECTS}`,
            ]);
            assert.deepEqual(await messages(bucketWith({ ...guideBucketPolicy(B), Version: "2008-10-17" })), []);
            const { Version: _version, ...unversioned } = guideBucketPolicy(B);
            assert.deepEqual(await messages(bucketWith(unversioned)), []);
        });
    });

    describe("actions, against the AWS service authorization reference", () => {
        it('refuses s3:ListObjects (an API name, not an action): S3 answers "Policy has invalid action"', async () => {
            assert.deepEqual(await messages(bucketWith(guideWith({ Action: ["s3:GetObject", "s3:ListObjects"] }))), [
                `${BUCKET_POLICY}: Statement[0] "PersonalizeS3BucketAccessPolicy": Action "s3:ListObjects" names no action (s3 has no action "ListObjects"); ` +
                    `${INVALID_ACTION}. ${LOOK_UP}`,
            ]);
        });

        it("accepts real actions and wildcards that match one, in any case", async () => {
            for (const action of ["s3:ListBucket", "s3:Get*", "s3:get*", "S3:GETOBJECT", "s3:GetObjec?", "s3:*", "*", "s3:ListBucket*"]) {
                assert.deepEqual(await messages(bucketWith(guideWith({ Action: action }))), [], action);
            }
        });

        it("refuses a wildcard that matches no action, and names a near miss", async () => {
            assert.deepEqual(await messages(bucketWith(guideWith({ Action: ["s3:Gte*", "s3:GetObjcet"] }))), [
                `${BUCKET_POLICY}: Statement[0] "PersonalizeS3BucketAccessPolicy": Action "s3:Gte*" names no action (the wildcard matches no s3 action); ${INVALID_ACTION}. ${LOOK_UP}`,
                `${BUCKET_POLICY}: Statement[0] "PersonalizeS3BucketAccessPolicy": Action "s3:GetObjcet" names no action (s3 has no action "GetObjcet"); ${INVALID_ACTION}. Did you mean "s3:GetObject"?`,
            ]);
        });

        it("matches a wildcard against the whole name, ? as exactly one character", async () => {
            for (const action of ["s3:etObject*", "s3:GetObject?"]) {
                assert.deepEqual(await messages(bucketWith(guideWith({ Action: action }))), [
                    `${BUCKET_POLICY}: Statement[0] "PersonalizeS3BucketAccessPolicy": Action "${action}" names no action (the wildcard matches no s3 action); ${INVALID_ACTION}. ${LOOK_UP}`,
                ]);
            }
        });

        it("refuses an unknown service prefix and checks NotAction too", async () => {
            const doc = {
                Version: "2012-10-17",
                Statement: [
                    guideBucketPolicy(B).Statement[0],
                    { Effect: "Deny", Principal: "*", NotAction: ["s4:GetObject"], Resource: `${ARN}/*` },
                ],
            };
            assert.deepEqual(await messages(bucketWith(doc)), [
                `${BUCKET_POLICY}: Statement[1]: NotAction "s4:GetObject" names no action ("s4" is not a service prefix in the AWS service authorization reference); ${INVALID_ACTION}. ${LOOK_UP}`,
            ]);
        });

        it("says what an unknown action does in a role's policy", async () => {
            const stack = roleWith(JSON.stringify(personalizeTrust()), identityGrant(["s3:GetObject", "s3:ListObjects"]));
            assert.deepEqual(await messages(stack), [
                `RolePolicy "${ROLE}-inline-0": Statement[0]: Action "s3:ListObjects" names no action (s3 has no action "ListObjects"); ` +
                    `it matches no request, so the statement doesn't allow or deny what it names. ${LOOK_UP}`,
            ]);
        });
    });

    describe("size limits", () => {
        /** The guide's bucket policy, padded through its Id to exactly `bytes` bytes of JSON text. */
        function bucketPolicyOf(bytes: number): string {
            const base = JSON.stringify({ ...guideBucketPolicy(B), Id: "" });
            return JSON.stringify({ ...guideBucketPolicy(B), Id: "x".repeat(bytes - base.length) });
        }

        it("accepts a bucket policy of 20,480 bytes and refuses one of 20,481", async () => {
            assert.equal(Buffer.byteLength(bucketPolicyOf(20_481)), 20_481);
            assert.deepEqual(await messages(bucketWith(bucketPolicyOf(20_480))), []);
            assert.deepEqual(await messages(bucketWith(bucketPolicyOf(20_481))), [
                `${BUCKET_POLICY}: the bucket policy is 20,481 bytes; S3 limits a bucket policy to 20 KB (20,480 bytes) and rejects a larger one at PutBucketPolicy. ` +
                    "Shorten it: merge statements that differ only in Action or Resource, use wildcards, or grant through access points.",
            ]);
        });

        it("counts bytes, not characters: a multi-byte character counts for its UTF-8 length", async () => {
            const text = bucketPolicyOf(20_480 - 1).replace('"Id":"x', '"Id":"é');
            assert.equal(Buffer.byteLength(text), 20_480);
            assert.deepEqual(await messages(bucketWith(text)), []);
            const over = bucketPolicyOf(20_480).replace('"Id":"x', '"Id":"é');
            assert.equal(over.length, 20_480);
            assert.match((await messages(bucketWith(over)))[0], /^BucketPolicy "data-bucket-policy": the bucket policy is 20,481 bytes;/);
        });

        /** An inline role policy of exactly `characters` characters without whitespace, written with plenty of it. */
        function inlineOf(characters: number): string {
            const base = JSON.stringify({ ...identityGrant("s3:GetObject", { Sid: "" }) });
            const doc = identityGrant("s3:GetObject", { Sid: "x".repeat(characters - base.length) });
            return JSON.stringify(doc, null, 8);
        }

        it("sums a role's inline policies without whitespace: 10,240 characters pass, 10,241 fail", async () => {
            const trust = JSON.stringify(personalizeTrust());
            assert.deepEqual(await messages(roleWith(trust, inlineOf(6_000), inlineOf(4_240))), []);
            assert.deepEqual(await messages(roleWith(trust, inlineOf(6_000), inlineOf(4_241))), [
                `Role "${ROLE}": its inline policies total 10,241 characters without whitespace (RolePolicy "${ROLE}-inline-0" 6,000, RolePolicy "${ROLE}-inline-1" 4,241); ` +
                    "IAM limits the inline policies of a role to 10,240 together and rejects the PutRolePolicy that goes over. " +
                    "Move statements into a managed policy attached to the role, or merge statements that differ only in Action or Resource.",
            ]);
        });

        it("counts the role's own inlinePolicies with its RolePolicy resources, and not its managed policies", async () => {
            const stack = roleWith(JSON.stringify(personalizeTrust()), inlineOf(6_000));
            const role = stack.resources.find(r => r.type === "aws:iam/role:Role")!;
            role.inputs.inlinePolicies = [{ name: "more", policy: inlineOf(4_241) }];
            assert.match((await messages(stack))[0], /total 10,241 characters .*Role "personalize-role" \(inlinePolicies\[0\]\) 4,241\)/);
            role.inputs.inlinePolicies = [];
            stack.add("aws:iam/policy:Policy", "big", { name: "big", policy: inlineOf(6_000) });
            stack.add("aws:iam/rolePolicyAttachment:RolePolicyAttachment", "attach", {
                role: ROLE,
                policyArn: `arn:aws:iam::${ACCOUNT}:policy/big`,
            });
            assert.deepEqual(await messages(stack), []);
        });
    });

    describe("IAM's own rules for trust, inline, managed and boundary policies", () => {
        const TRUST = `Role "${ROLE}" (assumeRolePolicy)`;
        const INLINE = `RolePolicy "${ROLE}-inline-0"`;
        const IAM_REJECTS = (call: string) =>
            `IAM rejects it at ${call}, and the pack's other policies skip the document until it is fixed.`;
        const CREATE_ROLE = IAM_REJECTS("CreateRole / UpdateAssumeRolePolicy");
        const PUT_ROLE_POLICY = IAM_REJECTS("PutRolePolicy");
        const CREATE_POLICY = IAM_REJECTS("CreatePolicy");
        const trustWith = (change: Record<string, unknown>) => ({
            ...personalizeTrust(),
            Statement: [{ ...personalizeTrust().Statement[0], ...change }],
        });

        /** The role with a managed policy attached and one as its permissions boundary. */
        function withManaged(attached: unknown, boundary: unknown): StackBuilder {
            const stack = roleWith(JSON.stringify(personalizeTrust()));
            stack.resources.find(r => r.type === "aws:iam/role:Role")!.inputs.permissionsBoundary =
                `arn:aws:iam::${ACCOUNT}:policy/boundary`;
            stack.add("aws:iam/policy:Policy", "attached", { name: "attached", policy: attached });
            stack.add("aws:iam/policy:Policy", "boundary", { name: "boundary", policy: boundary });
            stack.add("aws:iam/rolePolicyAttachment:RolePolicyAttachment", "attach", {
                role: ROLE,
                policyArn: `arn:aws:iam::${ACCOUNT}:policy/attached`,
            });
            return stack;
        }

        it("refuses a Sid that isn't ASCII letters and digits in each IAM policy, and accepts an empty one", async () => {
            const sid = (value: string) =>
                `Statement "${value}": Sid "${value}" has characters IAM doesn't accept in a Sid; use ASCII letters and digits only`;
            assert.deepEqual(
                await messages(roleWith(trustWith({ Sid: "Trust-Personalize" }), identityGrant("s3:GetObject", { Sid: "read objects" }))),
                [
                    `${TRUST}: ${sid("Trust-Personalize")}, e.g. "TrustPersonalize". ${CREATE_ROLE}`,
                    `${INLINE}: ${sid("read objects")}, e.g. "readobjects". ${PUT_ROLE_POLICY}`,
                ],
            );
            assert.deepEqual(
                await messages(withManaged(identityGrant("s3:GetObject", { Sid: "Read_1" }), identityGrant("s3:*", { Sid: "é" }))),
                [
                    `Policy "attached": ${sid("Read_1")}, e.g. "Read1". ${CREATE_POLICY}`,
                    `Policy "boundary": ${sid("é")}, or remove the Sid. ${CREATE_POLICY}`,
                ],
            );
            assert.deepEqual(await messages(roleWith(trustWith({ Sid: "" }), identityGrant("s3:GetObject", { Sid: "ReadObjects2" }))), []);
        });

        it("refuses two statements with the same Sid in one IAM policy, once for all of them", async () => {
            const read = { Effect: "Allow", Action: "s3:GetObject", Resource: `${ARN}/*` };
            const policy = { Version: "2012-10-17", Statement: ["Read", "List", "Read", "Read"].map(Sid => ({ Sid, ...read })) };
            assert.deepEqual(await messages(roleWith(JSON.stringify(personalizeTrust()), policy)), [
                `${INLINE}: Statement[0], Statement[2], Statement[3] have the same Sid "Read"; IAM requires each Sid to be unique within a policy: ` +
                    `rename or remove all but one. ${PUT_ROLE_POLICY}`,
            ]);
            // Two statements without a Sid, or with an empty one, share none.
            const unnamed = { Version: "2012-10-17", Statement: [read, read, { Sid: "", ...read }, { Sid: "", ...read }] };
            assert.deepEqual(await messages(roleWith(JSON.stringify(personalizeTrust()), unnamed)), []);
        });

        it("refuses NotPrincipal in a role trust policy, with Allow or Deny", async () => {
            const { Principal: _principal, ...allow } = personalizeTrust().Statement[0];
            const deny = {
                Sid: "OnlyPersonalize",
                Effect: "Deny",
                NotPrincipal: { Service: "personalize.amazonaws.com" },
                Action: "sts:AssumeRole",
            };
            const trust = { Version: "2012-10-17", Statement: [{ ...allow, NotPrincipal: { AWS: `arn:aws:iam::${ACCOUNT}:root` } }, deny] };
            const notPrincipal =
                "NotPrincipal is not allowed in a role trust policy; name who may assume the role in Principal (to exclude principals, add a Deny with an aws:PrincipalArn condition)";
            assert.deepEqual(await messages(roleWith(trust)), [
                `${TRUST}: Statement[0]: ${notPrincipal}. ${CREATE_ROLE}`,
                `${TRUST}: Statement "OnlyPersonalize": ${notPrincipal}. ${CREATE_ROLE}`,
            ]);
        });

        it("refuses characters IAM doesn't accept (beyond U+00FF), written or escaped, naming where they are", async () => {
            const arn = `arn:aws:personalize:eu-west-1:${ACCOUNT}:*`;
            const condition = (sourceArn: string) => ({
                StringEquals: { "aws:SourceAccount": ACCOUNT },
                StringLike: { "aws:SourceArn": sourceArn },
            });
            const outside = (where: string, chars: string) =>
                `${where} has ${chars}, outside the characters IAM accepts in a policy (tab, line feed, carriage return and U+0020 to U+00FF); replace or remove them`;
            assert.deepEqual(await messages(roleWith(trustWith({ Condition: condition(`${arn}\u0100`) }))), [
                `${TRUST}: Statement[0]: ${outside("Condition.StringLike.aws:SourceArn", '"Ā" (U+0100)')}. ${CREATE_ROLE}`,
            ]);
            // An escape in the text is the character itself once the provider has re-encoded the document.
            const escaped = JSON.stringify(trustWith({ Condition: condition(`${arn}—`) })).replace("—", "\\u2014");
            assert.ok(escaped.includes("\\u2014"));
            assert.deepEqual(await messages(roleWith(escaped)), [
                `${TRUST}: Statement[0]: ${outside("Condition.StringLike.aws:SourceArn", '"—" (U+2014)')}. ${CREATE_ROLE}`,
            ]);
            const managed = { ...identityGrant(["s3:GetObject"]), Id: "données😀" };
            managed.Statement[0].Resource = [ARN, `${ARN}/😀/*`, `${ARN}/中文/*`];
            assert.deepEqual(await messages(withManaged(managed, identityGrant("s3:*"))), [
                `Policy "attached": ${outside("Policy Id", '"😀" (U+1F600)')}. ${CREATE_POLICY}`,
                `Policy "attached": Statement[0]: ${outside("Resource[1]", '"😀" (U+1F600)')}. ${CREATE_POLICY}`,
                `Policy "attached": Statement[0]: ${outside("Resource[2]", '"中" (U+4E2D), "文" (U+6587)')}. ${CREATE_POLICY}`,
            ]);
            // Latin-1 (up to U+00FF) is accepted; so is the same document as a bucket policy, which S3 judges.
            assert.deepEqual(await messages(roleWith(trustWith({ Condition: condition(`${arn}é\u00ff`) }))), []);
            assert.deepEqual(await messages(bucketWith({ ...guideBucketPolicy(B), Id: "données😀" })), []);
        });

        it("keeps S3's own rules for bucket policies: other Sid characters, the same Sid twice, NotPrincipal", async () => {
            const grant = { ...guideBucketPolicy(B).Statement[0], Sid: "Personalize-Read" };
            const deny = {
                Sid: "Personalize-Read",
                Effect: "Deny",
                NotPrincipal: { Service: "personalize.amazonaws.com" },
                Action: "s3:PutObject",
                Resource: `${ARN}/*`,
            };
            assert.deepEqual(await messages(bucketWith({ Version: "2012-10-17", Statement: [grant, deny] })), []);
        });

        /** The component's trust policy of exactly `characters` characters without whitespace, written with plenty of it. */
        function trustOf(characters: number): string {
            const base = JSON.stringify(trustWith({ Sid: "" }));
            return JSON.stringify(trustWith({ Sid: "x".repeat(characters - base.length) }), null, 8);
        }

        it("refuses a trust policy over the account's quota, 2,048 characters by default, not counting whitespace", async () => {
            assert.ok(trustOf(2_048).length > 2_300);
            assert.deepEqual(await messages(roleWith(trustOf(2_048))), []);
            assert.deepEqual(await messages(roleWith(trustOf(2_049))), [
                `${TRUST}: the trust policy is 2,049 characters without whitespace; the account's IAM quota "Role trust policy length" is 2,048 ` +
                    "(pack config roleTrustPolicyLength), and IAM rejects a longer one at CreateRole / UpdateAssumeRolePolicy. " +
                    'Shorten it: merge statements that differ only in a condition value, or use wildcards, or raise the account\'s IAM quota "Role trust policy length" ' +
                    "in Service Quotas (up to 4,096) and set roleTrustPolicyLength in the pack config to the new value.",
            ]);
        });

        it("takes the account's raised quota from the pack config, up to 4,096", async () => {
            const config = { "policy-document-validity": { roleTrustPolicyLength: 4_096 } };
            assert.deepEqual((await roleWith(trustOf(4_096)).run([policyDocumentValidity], config)).violations, []);
            assert.deepEqual(
                (await roleWith(trustOf(4_097)).run([policyDocumentValidity], config)).violations.map(v => v.message),
                [
                    `${TRUST}: the trust policy is 4,097 characters without whitespace; the account's IAM quota "Role trust policy length" is 4,096 ` +
                        "(pack config roleTrustPolicyLength), and IAM rejects a longer one at CreateRole / UpdateAssumeRolePolicy. " +
                        "Shorten it: merge statements that differ only in a condition value, or use wildcards.",
                ],
            );
            const raisedTo3000 = { "policy-document-validity": { roleTrustPolicyLength: 3_000 } };
            assert.deepEqual((await roleWith(trustOf(3_000)).run([policyDocumentValidity], raisedTo3000)).violations, []);
            assert.equal((await roleWith(trustOf(3_001)).run([policyDocumentValidity], raisedTo3000)).violations.length, 1);
        });
    });

    describe("which documents, reported once", () => {
        it("reads the trust policy and attached managed policies, and a managed policy attached twice is reported once", async () => {
            const stack = roleWith({ ...personalizeTrust(), Version: "2012-10-18" });
            stack.role("second-role", JSON.stringify(personalizeTrust()), { "personalize-bucket": B });
            stack.add("aws:iam/policy:Policy", "shared", { name: "shared", policy: identityGrant("s3:Gte*") });
            for (const role of [ROLE, "second-role"]) {
                stack.add("aws:iam/rolePolicyAttachment:RolePolicyAttachment", `attach-${role}`, {
                    role,
                    policyArn: `arn:aws:iam::${ACCOUNT}:policy/shared`,
                });
            }
            assert.deepEqual(await messages(stack), [
                `Role "${ROLE}" (assumeRolePolicy): Policy Version must be "2012-10-17" (or the legacy "2008-10-17"), got "2012-10-18". ` +
                    "IAM rejects it at CreateRole / UpdateAssumeRolePolicy, and the pack's other policies skip the document until it is fixed.",
                `Policy "shared": Statement[0]: Action "s3:Gte*" names no action (the wildcard matches no s3 action); ` +
                    `it matches no request, so the statement doesn't allow or deny what it names. ${LOOK_UP}`,
            ]);
        });

        it("reads the roles a dataset import job or a dataset group names, tagged or not, and reports their documents once", async () => {
            const stack = validStack(B, "import");
            const trust = { ...personalizeTrust(), Statement: [{ ...personalizeTrust().Statement[0], Sid: "Trust-Loader" }] };
            for (const role of ["loader", "group-role"]) {
                stack.role(role, JSON.stringify(trust), {});
                stack.rolePolicy(role, identityGrant("s3:GetObject", { Sid: "Read-Data" }));
            }
            stack.add("aws-native:personalize:Dataset", "interactions", {
                name: "interactions",
                datasetType: "Interactions",
                datasetImportJob: {
                    jobName: "interactions-1",
                    dataSource: { dataLocation: `s3://${B}/import/` },
                    roleArn: `arn:aws:iam::${ACCOUNT}:role/loader`,
                },
            });
            stack.add("aws-native:personalize:DatasetGroup", "retail", {
                name: "retail",
                roleArn: `arn:aws:iam::${ACCOUNT}:role/group-role`,
            });
            // A job whose role ARN is unknown during preview names no role here.
            stack.add("aws-native:personalize:Dataset", "users", {
                name: "users",
                datasetType: "Users",
                datasetImportJob: { jobName: "users-1", dataSource: { dataLocation: `s3://${B}/import/` }, roleArn: UNKNOWN },
            });
            const sid = (value: string) =>
                `Statement "${value}": Sid "${value}" has characters IAM doesn't accept in a Sid; use ASCII letters and digits only, e.g. "${value.replace("-", "")}"`;
            const expected = ["loader", "group-role"].flatMap(role => [
                `Role "${role}" (assumeRolePolicy): ${sid("Trust-Loader")}. IAM rejects it at CreateRole / UpdateAssumeRolePolicy, and the pack's other policies skip the document until it is fixed.`,
                `RolePolicy "${role}-access": ${sid("Read-Data")}. IAM rejects it at PutRolePolicy, and the pack's other policies skip the document until it is fixed.`,
            ]);
            assert.deepEqual(await messages(stack), expected);
            const { violations } = await stack.run(policies);
            assert.deepEqual(
                violations.filter(v => !v.message.startsWith("can't run policy")).map(v => `${v.policy}: ${v.message}`),
                expected.map(m => `policy-document-validity: ${m}`),
            );
        });

        it("leaves documents of buckets and roles that are not Personalize's alone", async () => {
            const stack = new StackBuilder();
            stack.bucket("other", { team: "data" });
            stack.bucketPolicy("other", "{not json");
            stack.role("other-role", "{not json", { team: "data" });
            assert.deepEqual(await messages(stack), []);
        });

        it("an unreadable document yields exactly one violation across the whole pack", async () => {
            const broken: Array<[string, (stack: StackBuilder) => void]> = [
                ["bucket policy", stack => (stack.resources.find(r => r.name === `${B}-policy`)!.inputs.policy = '{"Statement": [')],
                [
                    "trust policy",
                    stack => (stack.resources.find(r => r.type === "aws:iam/role:Role")!.inputs.assumeRolePolicy = "not json"),
                ],
                ["role policy", stack => (stack.resources.find(r => r.type === "aws:iam/rolePolicy:RolePolicy")!.inputs.policy = "{}")],
                ["trust policy with NotPrincipal", stack => editTrust(stack, s => ((s.NotPrincipal = s.Principal), delete s.Principal))],
                ["trust policy with a Sid IAM refuses", stack => editTrust(stack, s => (s.Sid = "Trust-Personalize"))],
                [
                    "trust policy with a character IAM refuses",
                    stack => editTrust(stack, s => (s.Condition.StringEquals["aws:SourceAccount"] += "—")),
                ],
                ["trust policy over 2,048 characters", stack => editTrust(stack, s => (s.Sid = "x".repeat(2_048)))],
                [
                    "role policy with one Sid twice",
                    stack => {
                        const policy = stack.resources.find(r => r.type === "aws:iam/rolePolicy:RolePolicy")!;
                        const document = JSON.parse(policy.inputs.policy);
                        document.Statement = document.Statement.map((s: object) => ({ ...s, Sid: "Same" }));
                        policy.inputs.policy = JSON.stringify(document);
                    },
                ],
            ];
            for (const [what, breakIt] of broken) {
                const stack = validStack(B, "batch");
                breakIt(stack);
                const { violations } = await stack.run(policies);
                assert.equal(violations.length, 1, `${what}: ${JSON.stringify(violations, null, 1)}`);
                assert.equal(violations[0].policy, "policy-document-validity", what);
            }
        });

        it("a duplicate key that hides a Deny is reported once, not judged by the other policies", async () => {
            const stack = validStack(B, "import");
            const policy = stack.resources.find(r => r.name === `${B}-policy`)!;
            const grant = JSON.stringify(guideBucketPolicy(B).Statement);
            policy.inputs.policy = `{"Statement": [{"Effect": "Deny", "Principal": "*", "Action": "s3:*", "Resource": "*"}], "Statement": ${grant}}`;
            const { violations } = await stack.run(policies);
            assert.deepEqual(
                violations.map(v => v.policy),
                ["policy-document-validity"],
            );
            assert.ok(
                violations[0].message.startsWith(`${BUCKET_POLICY}: Policy text has the key "Statement" twice`),
                violations[0].message,
            );
        });
    });

    it('judges the documents only when they are known: UNKNOWN during preview is "can\'t run during preview"', async () => {
        const stack = roleWith(UNKNOWN);
        const { violations } = await stack.run([policyDocumentValidity]);
        assert.equal(violations.length, 1);
        assert.equal(violations[0].enforcementLevel, "advisory");
        assert.match(violations[0].message, /^can't run policy 'policy-document-validity' during preview/);
    });
});
