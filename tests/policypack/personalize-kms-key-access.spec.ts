import * as assert from "node:assert/strict";
import { personalizeKmsKeyAccess } from "../../policypack/policies/personalize-kms-key-access";
import { personalizeKmsKeyOutsideStack } from "../../policypack/policies/personalize-kms-key-outside-stack";
import type { PackConfigFile } from "../../offline/policy-engine";
import { UNKNOWN } from "../../offline/recorder";
import { ACCOUNT, StackBuilder, personalizeTrust, serviceRoleTags, validStack } from "./stack-builder";

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

const run = async (stack: StackBuilder, config: PackConfigFile = {}) =>
    (await stack.run([personalizeKmsKeyAccess, personalizeKmsKeyOutsideStack], config)).violations;
const messages = async (stack: StackBuilder, config: PackConfigFile = {}) =>
    (await run(stack, config)).map(v => `[${v.policy}] ${v.message}`);
/** The stack's account in the pack config, for stacks whose ARNs name two accounts. */
const withAccount: PackConfigFile = Object.fromEntries(
    [personalizeKmsKeyAccess, personalizeKmsKeyOutsideStack].map(p => [p.name, { account: ACCOUNT }]),
);
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

            it(`${action} for the service role in a key policy that doesn't grant the account`, async () => {
                const without = KEY_ACTIONS.filter(a => a !== action);
                const stack = kmsStack({ keyPolicy: keyPolicy(serviceGrant(), roleGrant(without)) });
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

    describe("a key policy that grants the account lets the role use the key through its own policies (KMS: Default key policy)", () => {
        const throughAccount = " (the key policy grants it to the role only through the account, so the role's own policies must allow it)";

        it("passes when the role's policies allow the five actions, kms:CreateGrant included, with the root ARN or the bare account ID", async () => {
            for (const principal of [`arn:aws:iam::${ACCOUNT}:root`, ACCOUNT]) {
                const account = { ...rootStatement, Principal: { AWS: principal } };
                const stack = kmsStack({ keyPolicy: keyPolicy(account, serviceGrant()), rolePolicy: roleKmsPolicy(KEY_ACTIONS) });
                assert.deepEqual(await messages(stack), [], principal);
            }
        });

        it("fails when the role's policies lack kms:CreateGrant, which the guide leaves out of them only when the key policy names the role", async () => {
            assert.deepEqual(await messages(kmsStack({ keyPolicy: keyPolicy(rootStatement, serviceGrant()) })), [
                `${SUBJECT}service role "personalize-role"'s policies: ${notAllowed("kms:CreateGrant")}${throughAccount}.`,
            ]);
            // Named in the key policy for kms:CreateGrant only: the four others come through the account and the role's policy.
            const createGrantOnly = keyPolicy(rootStatement, serviceGrant(), roleGrant(["kms:CreateGrant"]));
            assert.deepEqual(await messages(kmsStack({ keyPolicy: createGrantOnly })), []);
        });

        it("never takes the stack's account from the key policy it judges: another account's root there doesn't hide the stack's own", async () => {
            const other = { ...rootStatement, Principal: { AWS: "arn:aws:iam::999999999999:root" } };
            const stack = kmsStack({ keyPolicy: keyPolicy(other, serviceGrant()), rolePolicy: roleKmsPolicy(KEY_ACTIONS) });
            // Without the component's tags, the stack's account is what its other resources' ARNs say (the trust's, the role policy's).
            const role = stack.resources.find(r => r.name === "personalize-role")!;
            role.inputs = { ...role.inputs, tags: { "personalize-bucket": "data-bucket" } };
            assert.deepEqual(await messages(stack), [
                SUBJECT + KEY_ACTIONS.map(a => `the key policy for service role "personalize-role": ${notAllowed(a)}`).join("; ") + ".",
            ]);
        });

        it("needs the role's own account: a grant to another account's root, or to the account only for other actions, lets nothing in", async () => {
            const other = { ...rootStatement, Principal: { AWS: "arn:aws:iam::999999999999:root" } };
            const otherStack = kmsStack({ keyPolicy: keyPolicy(other, serviceGrant()), rolePolicy: roleKmsPolicy(KEY_ACTIONS) });
            assert.deepEqual(await messages(otherStack, withAccount), [
                SUBJECT + KEY_ACTIONS.map(a => `the key policy for service role "personalize-role": ${notAllowed(a)}`).join("; ") + ".",
            ]);
            const adminOnly = { ...rootStatement, Action: ["kms:Create*", "kms:Describe*", "kms:Put*"] };
            const stack = kmsStack({ keyPolicy: keyPolicy(adminOnly, serviceGrant()), rolePolicy: roleKmsPolicy(KEY_ACTIONS) });
            assert.deepEqual(await messages(stack), [
                SUBJECT +
                    ["kms:Decrypt", "kms:GenerateDataKey", "kms:ListGrants"]
                        .map(a => `the key policy for service role "personalize-role": ${notAllowed(a)}`)
                        .join("; ") +
                    ".",
            ]);
        });

        it("lets the role's own policy deny what the account's grant would allow", async () => {
            const denyDecrypt = JSON.stringify({
                Version: "2012-10-17",
                Statement: [
                    { Sid: "UseKey", Effect: "Allow", Action: KEY_ACTIONS, Resource: KEY_ARN },
                    { Sid: "NoCreateGrant", Effect: "Deny", Action: "kms:CreateGrant", Resource: "*" },
                ],
            });
            assert.deepEqual(await messages(kmsStack({ keyPolicy: keyPolicy(rootStatement, serviceGrant()), rolePolicy: denyDecrypt })), [
                `${SUBJECT}service role "personalize-role"'s policies: kms:CreateGrant on ${KEY_ARN} is denied by statement "NoCreateGrant"${throughAccount}.`,
            ]);
        });
    });

    describe('{"AWS": "*"} with kms:CallerAccount (KMS: AWS KMS condition keys)', () => {
        const everyone = (account: string) => ({
            Sid: "AccountUsers",
            Effect: "Allow",
            Principal: { AWS: "*" },
            Action: KEY_ACTIONS,
            Resource: "*",
            Condition: { StringEquals: { "kms:CallerAccount": account } },
        });

        it("admits the role when the account is the stack's, and nothing else when it is another", async () => {
            assert.deepEqual(await messages(kmsStack({ keyPolicy: keyPolicy(serviceGrant(), everyone(ACCOUNT)) })), []);
            assert.deepEqual(await messages(kmsStack({ keyPolicy: keyPolicy(serviceGrant(), everyone("999999999999")) })), [
                SUBJECT + KEY_ACTIONS.map(a => `the key policy for service role "personalize-role": ${notAllowed(a)}`).join("; ") + ".",
            ]);
        });

        it("doesn't admit personalize.amazonaws.com, whose kms:CallerAccount AWS doesn't document", async () => {
            const [message] = await messages(kmsStack({ keyPolicy: keyPolicy(everyone(ACCOUNT)) }));
            assert.ok(
                message.startsWith(
                    `${SUBJECT}the key policy for personalize.amazonaws.com: kms:Decrypt on ${KEY_ARN} is allowed only under a condition ` +
                        `Personalize's requests can't be shown to meet (statement "AccountUsers"; Personalize's requests don't document the value of kms:CallerAccount, so it is taken as undecided)`,
                ),
                message,
            );
        });

        it("fails safe while the stack's account is unknown, and says so", async () => {
            const stack = kmsStack({ keyPolicy: keyPolicy(serviceGrant(), everyone(ACCOUNT)) });
            // A second account in the component's tags and in the stack's ARNs: the account is unknown.
            stack.role("other-role", JSON.stringify(personalizeTrust("999999999999")), serviceRoleTags("other-bucket", "999999999999"));
            const [message] = await messages(stack);
            assert.ok(
                message.includes(
                    `the key policy for service role "personalize-role": kms:Decrypt on ${KEY_ARN} is allowed only under a condition ` +
                        `Personalize's requests can't be shown to meet (statement "AccountUsers") (the stack's account is unknown: `,
                ),
                message,
            );
            assert.deepEqual(await messages(stack, withAccount), []);
        });
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

    it("fails safe on kms:ViaService and kms:EncryptionContext:*, whose values Personalize's requests don't document, and says so", async () => {
        const undocumented = (key: string) => `Personalize's requests don't document the value of ${key}, so it is taken as undecided`;
        const viaS3 = { ...guideStatement, Condition: { StringEquals: { "kms:ViaService": "s3.eu-west-1.amazonaws.com" } } };
        const [allow] = await messages(kmsStack({ keyPolicy: keyPolicy(viaS3) }));
        assert.ok(
            allow.startsWith(
                `${SUBJECT}the key policy for personalize.amazonaws.com: kms:Decrypt on ${KEY_ARN} is allowed only under a condition ` +
                    `Personalize's requests can't be shown to meet (statement "Allow use of the key"; ${undocumented("kms:ViaService")});`,
            ),
            allow,
        );
        assert.ok(
            allow.includes(`the key policy for service role "personalize-role": kms:Decrypt on ${KEY_ARN} is allowed only under`),
            allow,
        );
        const context = "kms:EncryptionContext:aws:s3:arn";
        const denyOtherBuckets = {
            Sid: "OnlyThisBucket",
            Effect: "Deny",
            Principal: "*",
            Action: "kms:Decrypt",
            Resource: "*",
            Condition: { StringNotLikeIfExists: { [context]: "arn:aws:s3:::data-bucket/*" } },
        };
        const [deny] = await messages(kmsStack({ keyPolicy: keyPolicy(rootStatement, guideStatement, denyOtherBuckets) }));
        assert.ok(
            deny.startsWith(
                `${SUBJECT}the key policy for personalize.amazonaws.com: kms:Decrypt on ${KEY_ARN} may be denied by statement "OnlyThisBucket": ` +
                    `its condition or resource can't be decided for Personalize's request: ${undocumented(context)}`,
            ),
            deny,
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

    describe("a key named through an alias the stack declares is the key the alias points to", () => {
        const ALIAS_NAME = "alias/data-key";
        const ALIAS_ARN = `arn:aws:kms:eu-west-1:${ACCOUNT}:alias/data-key`;
        const withAlias = (reference: string, c: KmsCase = {}, targetKeyId = KEY_ID) => {
            const stack = kmsStack({ ...c, reference });
            stack.add("aws:kms/alias:Alias", "data-key-alias", { name: ALIAS_NAME, targetKeyId });
            return stack;
        };
        const through = (reference: string) =>
            `[personalize-kms-key-access] Personalize bucket "data-bucket" (batch) is encrypted with KMS key Key "data-key" (${KEY_ARN}), ` +
            `through Alias "data-key-alias" (${reference}), which Amazon Personalize can't use: `;

        it("passes the guide's policies, by alias name or alias ARN, the alias pointing at the key's ID or ARN", async () => {
            for (const reference of [ALIAS_NAME, ALIAS_ARN]) {
                assert.deepEqual(await messages(withAlias(reference)), [], reference);
                assert.deepEqual(await messages(withAlias(reference, {}, KEY_ARN)), [], `${reference} -> ${KEY_ARN}`);
            }
        });

        it("judges the key's policy (the mandatory check fails, the key is not called outside the stack)", async () => {
            for (const reference of [ALIAS_NAME, ALIAS_ARN]) {
                assert.deepEqual(
                    await messages(withAlias(reference, { keyPolicy: keyPolicy(serviceGrant(), roleGrant(ROLE_ACTIONS)) })),
                    [`${through(reference)}the key policy for service role "personalize-role": ${notAllowed("kms:CreateGrant")}.`],
                    reference,
                );
            }
        });

        it("judges the role's policies on the key's ARN: a grant on the alias's ARN doesn't allow the key", async () => {
            assert.deepEqual(await messages(withAlias(ALIAS_NAME, { rolePolicy: roleKmsPolicy(ROLE_ACTIONS, ALIAS_ARN) })), [
                through(ALIAS_NAME) +
                    ROLE_ACTIONS.map(a => `service role "personalize-role"'s policies: ${notAllowed(a)}`).join("; ") +
                    ".",
            ]);
        });

        it("follows an alias to a key outside the stack: that key's policy can't be verified, the role is judged on its ARN", async () => {
            const external = `arn:aws:kms:eu-west-1:${ACCOUNT}:key/0000abcd-12ab-34cd-56ef-1234567890ab`;
            const stack = withAlias(ALIAS_NAME, { keyPolicy: null, rolePolicy: roleKmsPolicy(ROLE_ACTIONS, external) }, external);
            assert.deepEqual(
                (await run(stack)).map(v => [v.policy, v.message]),
                [
                    [
                        "personalize-kms-key-outside-stack",
                        `Personalize bucket "data-bucket" (batch): can't verify the key policy of ${external}, through Alias "data-key-alias" (${ALIAS_NAME}): ` +
                            `BucketServerSideEncryptionConfiguration "data-bucket-encryption" names a KMS key this stack doesn't declare. Unless its key policy ` +
                            `lets Amazon Personalize and its service role use the key, imports fail with "Insufficient privileges for accessing data in Amazon S3"; ` +
                            `it needs this statement: ${JSON.stringify({ ...guideStatement, Sid: "PersonalizeUseKey" })}`,
                    ],
                ],
            );
            const [message] = await messages(withAlias(ALIAS_NAME, { keyPolicy: null }, external));
            assert.ok(
                message.includes(`service role "personalize-role"'s policies: kms:Decrypt on ${external} is not allowed by any statement`),
                message,
            );
        });

        it("doesn't take an alias ARN of another account or region for the declared alias of that name", async () => {
            for (const other of ["arn:aws:kms:eu-west-1:999999999999:alias/data-key", `arn:aws:kms:us-east-1:${ACCOUNT}:alias/data-key`]) {
                const report = await run(withAlias(other), withAccount);
                assert.deepEqual(
                    report.map(v => [
                        v.policy,
                        v.message.startsWith(`Personalize bucket "data-bucket" (batch): can't verify the key policy of ${other}: `),
                    ]),
                    [["personalize-kms-key-outside-stack", true]],
                    other,
                );
            }
        });

        it("keeps the AWS managed aws/s3 key a violation by alias name or alias ARN, beside a declared alias", async () => {
            for (const reference of ["alias/aws/s3", `arn:aws:kms:eu-west-1:${ACCOUNT}:alias/aws/s3`]) {
                const report = await run(withAlias(reference, { keyPolicy: null }));
                assert.deepEqual(
                    report.map(v => [v.policy, v.message.includes(`encrypts new objects with the AWS managed key aws/s3 (${reference})`)]),
                    [["personalize-kms-key-access", true]],
                    reference,
                );
            }
        });
    });

    describe("a dataset group's key (aws-native DatasetGroup kmsKeyArn), judged like the bucket's", () => {
        const GROUP = "aws-native:personalize:DatasetGroup";
        const ALIAS_ARN = `arn:aws:kms:eu-west-1:${ACCOUNT}:alias/data-key`;
        /** An SSE-S3 bucket's stack with a declared key, and a dataset group created with the key and the service role. */
        const groupStack = ({
            keyPolicy: policy = keyPolicy(rootStatement, guideStatement),
            rolePolicy = roleKmsPolicy(),
            group = {},
        }: { keyPolicy?: string; rolePolicy?: string; group?: Record<string, unknown> } = {}) => {
            const stack = validStack("data-bucket", "import");
            stack.add("aws:kms/key:Key", "data-key", { policy, arn: KEY_ARN, keyId: KEY_ID });
            stack.rolePolicy("personalize-role", rolePolicy, "personalize-role-kms");
            stack.add(GROUP, "retail-group", { name: "retail", kmsKeyArn: KEY_ARN, roleArn: ROLE_ARN, ...group });
            return stack;
        };
        const GROUP_SUBJECT = `[personalize-kms-key-access] Personalize DatasetGroup "retail-group" is encrypted with KMS key Key "data-key" (${KEY_ARN}), which Amazon Personalize can't use: `;

        it("passes the guide's key policy and role policy; a group without a key is not judged", async () => {
            assert.deepEqual(await messages(groupStack()), []);
            assert.deepEqual(
                await messages(groupStack({ keyPolicy: keyPolicy(rootStatement), group: { kmsKeyArn: undefined, roleArn: undefined } })),
                [],
            );
        });

        it("fails a key policy that doesn't let personalize.amazonaws.com use the key", async () => {
            assert.deepEqual(await messages(groupStack({ keyPolicy: keyPolicy(rootStatement, roleGrant()) })), [
                GROUP_SUBJECT + KEY_ACTIONS.map(a => `the key policy for personalize.amazonaws.com: ${notAllowed(a)}`).join("; ") + ".",
            ]);
        });

        it("fails when the group's role may not use the key: its policies, or the key policy", async () => {
            assert.deepEqual(await messages(groupStack({ rolePolicy: roleKmsPolicy(["kms:Decrypt"]) })), [
                GROUP_SUBJECT +
                    ["kms:GenerateDataKey", "kms:DescribeKey", "kms:ListGrants"]
                        .map(a => `service role "personalize-role"'s policies: ${notAllowed(a)}`)
                        .join("; ") +
                    ".",
            ]);
            assert.deepEqual(await messages(groupStack({ keyPolicy: keyPolicy(serviceGrant()) })), [
                GROUP_SUBJECT +
                    KEY_ACTIONS.map(a => `the key policy for service role "personalize-role": ${notAllowed(a)}`).join("; ") +
                    ".",
            ]);
        });

        it("fails a group with a key but no roleArn: CreateDatasetGroup takes the role that may use the key", async () => {
            assert.deepEqual(await messages(groupStack({ group: { roleArn: undefined } })), [
                GROUP_SUBJECT +
                    "it sets kmsKeyArn without roleArn, and CreateDatasetGroup needs with a key the role that may use it " +
                    "(https://docs.aws.amazon.com/personalize/latest/dg/API_CreateDatasetGroup.html); set roleArn to the service role.",
            ]);
        });

        it("follows a declared alias to its key and judges it, but fails the alias: the dataset group takes a key ARN", async () => {
            const stack = groupStack({ keyPolicy: keyPolicy(rootStatement, roleGrant()), group: { kmsKeyArn: ALIAS_ARN } });
            stack.add("aws:kms/alias:Alias", "data-key-alias", { name: "alias/data-key", targetKeyId: KEY_ID });
            assert.deepEqual(await messages(stack), [
                `[personalize-kms-key-access] Personalize DatasetGroup "retail-group" is encrypted with KMS key Key "data-key" (${KEY_ARN}), ` +
                    `through Alias "data-key-alias" (${ALIAS_ARN}), which Amazon Personalize can't use: ` +
                    `its kmsKeyArn "${ALIAS_ARN}" is not a key ARN, and AWS::Personalize::DatasetGroup takes only ` +
                    `arn:<partition>:kms:<region>:<account>:key/<key id>; set it to ${KEY_ARN}; ` +
                    KEY_ACTIONS.map(a => `the key policy for personalize.amazonaws.com: ${notAllowed(a)}`).join("; ") +
                    ".",
            ]);
            assert.deepEqual(await messages(groupStack({ group: { kmsKeyArn: KEY_ID } })), [
                `${GROUP_SUBJECT}its kmsKeyArn "${KEY_ID}" is not a key ARN, and AWS::Personalize::DatasetGroup takes only ` +
                    `arn:<partition>:kms:<region>:<account>:key/<key id>; set it to ${KEY_ARN}.`,
            ]);
        });

        it("can't verify a role the stack doesn't declare (advisory), and judges the key policy for it", async () => {
            const teamRole = `arn:aws:iam::${ACCOUNT}:role/team-role`;
            const advisory =
                `[personalize-kms-key-outside-stack] Personalize DatasetGroup "retail-group": can't verify that role ${teamRole} may use KMS key ` +
                `Key "data-key" (${KEY_ARN}): this stack doesn't declare the role, so its policies can't be read. Unless they allow ` +
                `kms:Decrypt, kms:GenerateDataKey, kms:DescribeKey, kms:ListGrants on the key's ARN (and kms:CreateGrant too, unless the key policy names the role), ` +
                "the dataset group can't be created, nor data imported into it.";
            assert.deepEqual(await messages(groupStack({ group: { roleArn: teamRole } })), [advisory]);
            assert.deepEqual(await messages(groupStack({ keyPolicy: keyPolicy(guideStatement), group: { roleArn: teamRole } })), [
                GROUP_SUBJECT + KEY_ACTIONS.map(a => `the key policy for role ${teamRole}: ${notAllowed(a)}`).join("; ") + ".",
                advisory,
            ]);
        });

        it("reports \"can't run during preview\" (advisory) while the group's key is unknown, never a pass", async () => {
            const report = await run(groupStack({ group: { kmsKeyArn: UNKNOWN } }));
            assert.deepEqual(
                report.map(v => [v.policy, v.enforcementLevel, v.message.startsWith(`can't run policy '${v.policy}' during preview`)]),
                [
                    ["personalize-kms-key-access", "advisory", true],
                    ["personalize-kms-key-outside-stack", "advisory", true],
                ],
            );
        });
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
