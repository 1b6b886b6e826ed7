import * as assert from "node:assert/strict";
import { personalizeKmsKeyAccess } from "../../policypack/policies/personalize-kms-key-access";
import { personalizeKmsKeyOutsideStack } from "../../policypack/policies/personalize-kms-key-outside-stack";
import { UNKNOWN } from "../../offline/recorder";
import { ACCOUNT, StackBuilder, validStack } from "./stack-builder";

const KEY_ID = "1234abcd-12ab-34cd-56ef-1234567890ab";
const KEY_ARN = `arn:aws:kms:eu-west-1:${ACCOUNT}:key/${KEY_ID}`;
const ROLE_ARN = `arn:aws:iam::${ACCOUNT}:role/personalize-role`;
const KEY_ACTIONS = ["kms:Decrypt", "kms:GenerateDataKey", "kms:DescribeKey", "kms:CreateGrant", "kms:ListGrants"];
const ROLE_ACTIONS = ["kms:Decrypt", "kms:GenerateDataKey", "kms:DescribeKey", "kms:ListGrants"];
const ENCRYPTION = "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration";

const rootStatement = { Sid: "Root", Effect: "Allow", Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` }, Action: "kms:*", Resource: "*" };
/** The guide's key policy example, one statement for both principals, after the account's administration. */
const guideStatement = {
    Sid: "Allow use of the key",
    Effect: "Allow",
    Principal: { AWS: ROLE_ARN, Service: "personalize.amazonaws.com" },
    Action: KEY_ACTIONS,
    Resource: "*",
};
const serviceGrant = (actions = KEY_ACTIONS) => ({
    Sid: "Service",
    Effect: "Allow",
    Principal: { Service: "personalize.amazonaws.com" },
    Action: actions,
    Resource: "*",
});
const roleGrant = (actions = KEY_ACTIONS) => ({
    Sid: "Role",
    Effect: "Allow",
    Principal: { AWS: ROLE_ARN },
    Action: actions,
    Resource: "*",
});
const keyPolicy = (...statements: object[]) => JSON.stringify({ Version: "2012-10-17", Statement: statements });
const roleKmsPolicy = (actions = ROLE_ACTIONS, resource = KEY_ARN) =>
    JSON.stringify({ Version: "2012-10-17", Statement: [{ Sid: "UseKey", Effect: "Allow", Action: actions, Resource: resource }] });

interface KmsCase {
    workflow?: "import" | "batch";
    /** The key policy; null: the stack declares no key. */
    keyPolicy?: string | null;
    rolePolicy?: string;
    /** What the bucket's default encryption names (undefined: no key at all). */
    reference?: string | typeof UNKNOWN;
}

function kmsStack({
    workflow = "batch",
    keyPolicy: policy = keyPolicy(rootStatement, guideStatement),
    rolePolicy = roleKmsPolicy(),
    ...rest
}: KmsCase = {}) {
    const stack = validStack("data-bucket", workflow);
    const reference = "reference" in rest ? rest.reference : KEY_ARN;
    stack.add(ENCRYPTION, "data-bucket-encryption", {
        bucket: "data-bucket",
        rules: [
            {
                applyServerSideEncryptionByDefault: {
                    sseAlgorithm: "aws:kms",
                    ...(reference !== undefined && { kmsMasterKeyId: reference }),
                },
                bucketKeyEnabled: true,
            },
        ],
    });
    // As the engine holds a created key: its inputs and the ARN and key ID AWS gave it.
    if (policy !== null) stack.add("aws:kms/key:Key", "data-key", { policy, arn: KEY_ARN, keyId: KEY_ID });
    stack.rolePolicy("personalize-role", rolePolicy, "personalize-role-kms");
    return stack;
}

const run = async (stack: StackBuilder) => (await stack.run([personalizeKmsKeyAccess, personalizeKmsKeyOutsideStack])).violations;
const messages = async (stack: StackBuilder) => (await run(stack)).map(v => `[${v.policy}] ${v.message}`);
const SUBJECT = `[personalize-kms-key-access] Personalize bucket "data-bucket" (batch) is encrypted with KMS key Key "data-key" (${KEY_ARN}), which Amazon Personalize can't use: `;
const notAllowed = (action: string) => `${action} on ${KEY_ARN} is not allowed by any statement`;

describe("personalize-kms-key-access and personalize-kms-key-outside-stack", () => {
    it("pass the guide's key policy and role policy, for import and batch buckets", async () => {
        assert.deepEqual(await messages(kmsStack({ workflow: "import" })), []);
        assert.deepEqual(await messages(kmsStack({ workflow: "batch" })), []);
        assert.deepEqual(await messages(kmsStack({ keyPolicy: keyPolicy(rootStatement, serviceGrant(), roleGrant()) })), []);
    });

    it("say nothing about SSE-S3 buckets", async () => {
        const stack = validStack("data-bucket", "batch");
        stack.add(ENCRYPTION, "enc", {
            bucket: "data-bucket",
            rules: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "AES256" } }],
        });
        assert.deepEqual(await messages(stack), []);
    });

    describe("removing any one required grant fails", () => {
        for (const action of KEY_ACTIONS) {
            it(`${action} for personalize.amazonaws.com in the key policy`, async () => {
                const without = KEY_ACTIONS.filter(a => a !== action);
                const stack = kmsStack({ keyPolicy: keyPolicy(rootStatement, serviceGrant(without), roleGrant()) });
                assert.deepEqual(await messages(stack), [`${SUBJECT}the key policy for personalize.amazonaws.com: ${notAllowed(action)}.`]);
            });

            it(`${action} for the service role in the key policy`, async () => {
                const without = KEY_ACTIONS.filter(a => a !== action);
                const stack = kmsStack({ keyPolicy: keyPolicy(rootStatement, serviceGrant(), roleGrant(without)) });
                assert.deepEqual(await messages(stack), [
                    `${SUBJECT}the key policy for service role "personalize-role": ${notAllowed(action)}.`,
                ]);
            });
        }
        for (const action of ROLE_ACTIONS) {
            it(`${action} in the role's policy`, async () => {
                const stack = kmsStack({ rolePolicy: roleKmsPolicy(ROLE_ACTIONS.filter(a => a !== action)) });
                assert.deepEqual(await messages(stack), [`${SUBJECT}service role "personalize-role"'s policies: ${notAllowed(action)}.`]);
            });
        }
    });

    it("fails a key policy that grants only the role", async () => {
        const stack = kmsStack({ keyPolicy: keyPolicy(rootStatement, roleGrant()) });
        assert.deepEqual(await messages(stack), [
            SUBJECT + KEY_ACTIONS.map(a => `the key policy for personalize.amazonaws.com: ${notAllowed(a)}`).join("; ") + ".",
        ]);
    });

    it("doesn't count the account's grant as naming the role: the role's IAM policy has no kms:CreateGrant, and the guide names the role", async () => {
        const stack = kmsStack({ keyPolicy: keyPolicy(rootStatement, serviceGrant()) });
        assert.deepEqual(await messages(stack), [
            SUBJECT + KEY_ACTIONS.map(a => `the key policy for service role "personalize-role": ${notAllowed(a)}`).join("; ") + ".",
        ]);
    });

    it("fails a key policy Deny that hits Personalize, and one naming the account that hits the role", async () => {
        const denyService = {
            Sid: "NoServices",
            Effect: "Deny",
            Principal: "*",
            Action: "kms:Decrypt",
            Resource: "*",
            Condition: { Bool: { "aws:PrincipalIsAWSService": "true" } },
        };
        const denyAccount = {
            Sid: "NoGrants",
            Effect: "Deny",
            Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` },
            Action: "kms:CreateGrant",
            Resource: "*",
        };
        assert.deepEqual(await messages(kmsStack({ keyPolicy: keyPolicy(rootStatement, guideStatement, denyService) })), [
            `${SUBJECT}the key policy for personalize.amazonaws.com: kms:Decrypt on ${KEY_ARN} is denied by statement "NoServices".`,
        ]);
        assert.deepEqual(await messages(kmsStack({ keyPolicy: keyPolicy(rootStatement, guideStatement, denyAccount) })), [
            `${SUBJECT}the key policy for service role "personalize-role": kms:CreateGrant on ${KEY_ARN} is denied by statement "NoGrants".`,
        ]);
    });

    it("fails safe on a condition Personalize's requests can't be shown to meet", async () => {
        const viaS3 = { ...guideStatement, Condition: { StringEquals: { "kms:ViaService": "s3.eu-west-1.amazonaws.com" } } };
        const [message] = await messages(kmsStack({ keyPolicy: keyPolicy(rootStatement, viaS3) }));
        assert.ok(
            message.startsWith(
                `${SUBJECT}the key policy for personalize.amazonaws.com: kms:Decrypt on ${KEY_ARN} is allowed only under a condition ` +
                    `Personalize's requests can't be shown to meet (statement "Allow use of the key")`,
            ),
            message,
        );
    });

    it("fails a key without a key policy, and one it can't read", async () => {
        const noPolicy = kmsStack();
        delete noPolicy.resources.find(r => r.type === "aws:kms/key:Key")!.inputs.policy;
        assert.deepEqual(await messages(noPolicy), [
            `${SUBJECT}it sets no key policy, so KMS gives it the default one, which lets the account's IAM policies grant the key but never personalize.amazonaws.com.`,
        ]);
        const [unreadable] = await messages(kmsStack({ keyPolicy: "{not json" }));
        assert.ok(unreadable.startsWith(`${SUBJECT}its key policy can't be read: `), unreadable);
    });

    it("finds the key by its key ID too", async () => {
        assert.deepEqual(await messages(kmsStack({ reference: KEY_ID })), []);
        const [message] = await messages(kmsStack({ reference: KEY_ID, keyPolicy: keyPolicy(rootStatement, roleGrant()) }));
        assert.ok(message.startsWith(SUBJECT), message);
    });

    it("fails the AWS managed aws/s3 key, by alias, alias ARN or no key at all", async () => {
        const cases: Array<[string | undefined, string]> = [
            ["alias/aws/s3", "alias/aws/s3"],
            [`arn:aws:kms:eu-west-1:${ACCOUNT}:alias/aws/s3`, `arn:aws:kms:eu-west-1:${ACCOUNT}:alias/aws/s3`],
            [undefined, "aws:kms without a key"],
        ];
        for (const [reference, how] of cases) {
            assert.deepEqual(await messages(kmsStack({ reference, keyPolicy: null })), [
                `[personalize-kms-key-access] Personalize bucket "data-bucket" (batch): BucketServerSideEncryptionConfiguration "data-bucket-encryption" ` +
                    `encrypts new objects with the AWS managed key aws/s3 (${how}), whose key policy can't be changed to let Amazon Personalize use it, ` +
                    `so imports fail with "Insufficient privileges for accessing data in Amazon S3". Name a customer managed key whose key policy allows Personalize (the component's kmsKey: create).`,
            ]);
        }
    });

    it("can't verify a key outside the stack (advisory, with the statement to add), but still judges the role's side", async () => {
        const external = `arn:aws:kms:eu-west-1:${ACCOUNT}:key/0000abcd-12ab-34cd-56ef-1234567890ab`;
        const advisory =
            `[personalize-kms-key-outside-stack] Personalize bucket "data-bucket" (batch): can't verify the key policy of ${external}: ` +
            `BucketServerSideEncryptionConfiguration "data-bucket-encryption" names a KMS key this stack doesn't declare. ` +
            "Unless its key policy lets Amazon Personalize and its service role use the key, imports fail with " +
            `"Insufficient privileges for accessing data in Amazon S3"; it needs this statement: ${JSON.stringify({ ...guideStatement, Sid: "PersonalizeUseKey" })}`;
        const report = await run(kmsStack({ reference: external, keyPolicy: null, rolePolicy: roleKmsPolicy(ROLE_ACTIONS, external) }));
        assert.deepEqual(
            report.map(v => [v.enforcementLevel, `[${v.policy}] ${v.message}`]),
            [["advisory", advisory]],
        );
        assert.deepEqual(await messages(kmsStack({ reference: external, keyPolicy: null })), [
            `[personalize-kms-key-access] Personalize bucket "data-bucket" (batch) is encrypted with KMS key ${external}, which Amazon Personalize can't use: ` +
                ROLE_ACTIONS.map(
                    a => `service role "personalize-role"'s policies: ${a} on ${external} is not allowed by any statement`,
                ).join("; ") +
                ".",
            advisory,
        ]);
    });

    it("judges the role's side of a key outside the stack named by key ID, on the ARN the stack's account and region give it", async () => {
        const id = "0000abcd-12ab-34cd-56ef-1234567890ab";
        const arn = `arn:aws:kms:eu-west-1:${ACCOUNT}:key/${id}`;
        const judged = async (rolePolicy: string) =>
            (await run(kmsStack({ reference: id, keyPolicy: null, rolePolicy }))).map(v => v.policy);
        assert.deepEqual(await judged(roleKmsPolicy(ROLE_ACTIONS, arn)), ["personalize-kms-key-outside-stack"]);
        assert.deepEqual(await judged(roleKmsPolicy(ROLE_ACTIONS, KEY_ARN)), [
            "personalize-kms-key-access",
            "personalize-kms-key-outside-stack",
        ]);
    });

    it("tries every Personalize resource that uses the key: a key policy limited to import jobs fails the dataset group and batch jobs", async () => {
        const importOnly = {
            ...guideStatement,
            Condition: { ArnLikeIfExists: { "aws:SourceArn": `arn:aws:personalize:eu-west-1:${ACCOUNT}:dataset-import-job/*` } },
        };
        const [message] = await messages(kmsStack({ keyPolicy: keyPolicy(rootStatement, importOnly) }));
        const context = (job: string) =>
            `(request with aws:SourceAccount ${ACCOUNT} and aws:SourceArn arn:aws:personalize:eu-west-1:${ACCOUNT}:${job}/personalize-job)`;
        assert.ok(message.includes(`kms:Decrypt on ${KEY_ARN} is not allowed by any statement ${context("dataset-group")}`), message);
        const batchOnlyStack = kmsStack({
            keyPolicy: keyPolicy(rootStatement, {
                ...importOnly,
                Condition: {
                    ArnNotLikeIfExists: { "aws:SourceArn": `arn:aws:personalize:eu-west-1:${ACCOUNT}:batch-segment-job/*` },
                },
            }),
        });
        const [batch] = await messages(batchOnlyStack);
        assert.ok(batch.includes(`is not allowed by any statement ${context("batch-segment-job")}`), batch);
    });

    it("reads the bucket's own serverSideEncryptionConfiguration too", async () => {
        const stack = kmsStack({ keyPolicy: null, reference: "alias/aws/s3" });
        stack.resources.splice(
            stack.resources.findIndex(r => r.type === ENCRYPTION),
            1,
        );
        stack.resources.find(r => r.type === "aws:s3/bucket:Bucket")!.inputs.serverSideEncryptionConfiguration = {
            rule: { applyServerSideEncryptionByDefault: { sseAlgorithm: "aws:kms:dsse", kmsMasterKeyId: "alias/aws/s3" } },
        };
        const [message] = await messages(stack);
        assert.ok(
            message.startsWith(
                '[personalize-kms-key-access] Personalize bucket "data-bucket" (batch): Bucket "data-bucket" (serverSideEncryptionConfiguration) encrypts new objects with the AWS managed key aws/s3',
            ),
            message,
        );
    });

    it('reports "can\'t run during preview" (advisory) while the key the bucket names is unknown, never a pass', async () => {
        const report = await run(kmsStack({ reference: UNKNOWN }));
        assert.deepEqual(
            report.map(v => [v.policy, v.enforcementLevel, v.message.replace(/:.*/, "")]),
            [
                ["personalize-kms-key-access", "advisory", "can't run policy 'personalize-kms-key-access' during preview"],
                ["personalize-kms-key-outside-stack", "advisory", "can't run policy 'personalize-kms-key-outside-stack' during preview"],
            ],
        );
    });
});
