import * as assert from "node:assert/strict";
import { personalizeRoleTrust } from "../../policypack/policies/personalize-role-trust";
import { personalizeTrustPolicy } from "../../components/policy-documents";
import type { PackConfigFile } from "../../offline/policy-engine";
import { ACCOUNT, StackBuilder, guideBucketPolicy, personalizeTrust, serviceRoleTags } from "./stack-builder";

const policy = [personalizeRoleTrust];
const ROLE = 'Personalize service role "personalize-role", Role "personalize-role" (assumeRolePolicy): ';
const OTHER = "999999999999";
const FIX = `StringEquals aws:SourceAccount = ${ACCOUNT} and StringLike aws:SourceArn = arn:aws:personalize:eu-west-1:${ACCOUNT}:*`;
/** The stack's account and region as the pack config gives them, so messages state no assumption. */
const CONFIGURED: PackConfigFile = { "personalize-role-trust": { account: ACCOUNT, region: "eu-west-1" } };
const KEY_ARN = `arn:aws:kms:eu-west-1:${ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab`;
const IMPORT_ARN = (account: string, region = "eu-west-1") =>
    `arn:aws:personalize:${region}:${account}:dataset-import-job/personalize-import`;

async function verdict(
    trust: unknown,
    config: PackConfigFile = CONFIGURED,
    tags: Record<string, string> = { "personalize-bucket": "data-bucket" },
): Promise<string[]> {
    const stack = new StackBuilder();
    stack.role("personalize-role", typeof trust === "string" ? trust : JSON.stringify(trust), tags);
    return (await stack.run(policy, config)).violations.map(v => v.message);
}

function trustWith(change: (statement: any, document: any) => void) {
    const doc: any = personalizeTrust();
    change(doc.Statement[0], doc);
    return doc;
}

const withCondition = (condition: object) => trustWith(s => (s.Condition = condition));

/** A Deny that narrows a broader Allow to the stack's own account. */
const ONLY_MINE = {
    Sid: "OnlyMine",
    Effect: "Deny",
    Principal: { Service: "personalize.amazonaws.com" },
    Action: "sts:AssumeRole",
    Condition: { StringNotEquals: { "aws:SourceAccount": ACCOUNT } },
};

describe("personalize-role-trust", () => {
    it("passes the component's trust policy, as a string or an object, with the account from config or from the component's tags", async () => {
        assert.deepEqual(await verdict(personalizeTrust()), []);
        assert.deepEqual(await verdict(personalizeTrust(), {}, serviceRoleTags("data-bucket")), []);
        const stack = new StackBuilder();
        stack.role("personalize-role", personalizeTrust(), serviceRoleTags("data-bucket"));
        assert.deepEqual((await stack.run(policy)).violations, []);
    });

    it("passes the component's own trust policy in every partition", async () => {
        for (const [partition, region] of [
            ["aws", "eu-west-1"],
            ["aws-cn", "cn-north-1"],
            ["aws-us-gov", "us-gov-west-1"],
        ]) {
            const config = { "personalize-role-trust": { partition, account: ACCOUNT, region } };
            assert.deepEqual(await verdict(personalizeTrustPolicy(partition, region, ACCOUNT), config), [], partition);
        }
    });

    it("passes a correct trust written with a policy variable in a 2012-10-17 document", async () => {
        const trust = withCondition({
            StringEquals: { "aws:SourceAccount": ACCOUNT },
            StringLike: { "aws:SourceArn": "arn:aws:personalize:eu-west-1:${aws:SourceAccount}:*" },
        });
        assert.deepEqual(await verdict(trust), []);
    });

    it("takes a policy variable as literal text in a 2008-10-17 document or one without Version", async () => {
        const condition = {
            StringEquals: { "aws:SourceAccount": ACCOUNT },
            StringLike: { "aws:SourceArn": "arn:aws:personalize:eu-west-1:${aws:SourceAccount}:*" },
        };
        const expected =
            `${ROLE}Personalize acting for your account ${ACCOUNT} (aws:SourceAccount ${ACCOUNT}, aws:SourceArn ${IMPORT_ARN(ACCOUNT)}) ` +
            `can't assume it: in statement "Statement[0]", StringLike aws:SourceArn "arn:aws:personalize:eu-west-1:\${aws:SourceAccount}:*" doesn't hold; ` +
            `Personalize sends both keys for the same account, from the stack's region and partition: ${FIX}.`;
        const old = trustWith((s, doc) => {
            s.Condition = condition;
            doc.Version = "2008-10-17";
        });
        assert.deepEqual(await verdict(old), [expected]);
        const none = trustWith((s, doc) => {
            s.Condition = condition;
            delete doc.Version;
        });
        assert.deepEqual(await verdict(none), [expected]);
    });

    it("ignores roles that are not marked as Personalize's", async () => {
        assert.deepEqual(await verdict({ Statement: { Effect: "Allow", Principal: "*", Action: "sts:AssumeRole" } }, CONFIGURED, {}), []);
    });

    it("fails a trust without the confused-deputy conditions, naming both and every other account it admits", async () => {
        assert.deepEqual(await verdict(trustWith(s => delete s.Condition)), [
            `${ROLE}statement "Statement[0]" lets Personalize assume the role when its request carries no aws:SourceAccount and no aws:SourceArn ` +
                `(a confused deputy could use it); add ${FIX}; ` +
                `it lets Personalize acting for accounts other than yours (${ACCOUNT}) assume the role: any account such as 000000000000 ` +
                `(statement "Statement[0]", e.g. from ${IMPORT_ARN("000000000000")}); pin both keys to your account: ${FIX}.`,
        ]);
    });

    it("fails a trust with only aws:SourceAccount, naming the missing aws:SourceArn", async () => {
        assert.deepEqual(await verdict(withCondition({ StringEquals: { "aws:SourceAccount": ACCOUNT } })), [
            `${ROLE}statement "Statement[0]" lets Personalize assume the role when its request carries no aws:SourceArn ` +
                `(a confused deputy could use it); add StringLike aws:SourceArn = arn:aws:personalize:eu-west-1:${ACCOUNT}:*.`,
        ]);
    });

    it("fails a trust with only aws:SourceArn, naming the missing aws:SourceAccount", async () => {
        assert.deepEqual(await verdict(withCondition({ StringLike: { "aws:SourceArn": `arn:aws:personalize:eu-west-1:${ACCOUNT}:*` } })), [
            `${ROLE}statement "Statement[0]" lets Personalize assume the role when its request carries no aws:SourceAccount ` +
                `(a confused deputy could use it); add StringEquals aws:SourceAccount = ${ACCOUNT}.`,
        ]);
    });

    it("fails conditions that hold when the key is absent (IfExists)", async () => {
        const found = await verdict(
            withCondition({
                StringEqualsIfExists: { "aws:SourceAccount": ACCOUNT },
                StringLike: { "aws:SourceArn": `arn:aws:personalize:eu-west-1:${ACCOUNT}:*` },
            }),
        );
        assert.deepEqual(found, [
            `${ROLE}statement "Statement[0]" lets Personalize assume the role when its request carries no aws:SourceAccount ` +
                `(a confused deputy could use it); add StringEquals aws:SourceAccount = ${ACCOUNT}.`,
        ]);
    });

    it("fails a trust whose aws:SourceArn condition doesn't pin the account, though aws:SourceAccount does", async () => {
        const found = await verdict(
            withCondition({ StringEquals: { "aws:SourceAccount": ACCOUNT }, StringLike: { "aws:SourceArn": "arn:aws:personalize:*" } }),
        );
        assert.deepEqual(found, [
            `${ROLE}statement "Statement[0]" doesn't pin aws:SourceArn to your account: it lets aws:SourceArn ${IMPORT_ARN("000000000000")} ` +
                `through with the other key at your account's value; add StringLike aws:SourceArn = arn:aws:personalize:eu-west-1:${ACCOUNT}:*.`,
        ]);
    });

    it("fails a trust that also admits a second, real account, naming it", async () => {
        const found = await verdict(
            withCondition({
                StringEquals: { "aws:SourceAccount": [ACCOUNT, OTHER] },
                ArnLike: { "aws:SourceArn": [`arn:aws:personalize:eu-west-1:${ACCOUNT}:*`, `arn:aws:personalize:us-west-2:${OTHER}:*`] },
            }),
        );
        assert.deepEqual(found, [
            `${ROLE}statement "Statement[0]" doesn't pin aws:SourceAccount to your account: it lets aws:SourceAccount ${OTHER} through ` +
                `with the other key at your account's value; add StringEquals aws:SourceAccount = ${ACCOUNT}; ` +
                `it lets Personalize acting for accounts other than yours (${ACCOUNT}) assume the role: account ${OTHER} ` +
                `(statement "Statement[0]", e.g. from ${IMPORT_ARN(OTHER, "us-west-2")}); pin both keys to your account: ${FIX}.`,
        ]);
    });

    it("fails a wildcard account pattern that matches accounts other than the stack's", async () => {
        const found = await verdict(
            withCondition({
                StringLike: {
                    "aws:SourceAccount": "12345678901?",
                    "aws:SourceArn": "arn:aws:personalize:eu-west-1:${aws:SourceAccount}:*",
                },
            }),
        );
        assert.deepEqual(found, [
            `${ROLE}it lets Personalize acting for accounts other than yours (${ACCOUNT}) assume the role: any account such as 123456789010 ` +
                `(statement "Statement[0]", e.g. from ${IMPORT_ARN("123456789010")}); pin both keys to your account: ${FIX}.`,
        ]);
    });

    it("finds other accounts admitted from another region only, through a variable with a default", async () => {
        const doc: any = personalizeTrust();
        doc.Statement.push({
            Sid: "Oregon",
            Effect: "Allow",
            Principal: { Service: "personalize.amazonaws.com" },
            Action: "sts:AssumeRole",
            Condition: {
                StringLike: { "aws:SourceAccount": "*", "aws:SourceArn": "arn:aws:personalize:us-west-2:${aws:SourceAccount, 'none'}:*" },
            },
        });
        assert.deepEqual(await verdict(doc), [
            `${ROLE}it lets Personalize acting for accounts other than yours (${ACCOUNT}) assume the role: any account such as 000000000000 ` +
                `(statement "Oregon", e.g. from ${IMPORT_ARN("000000000000", "us-west-2")}); pin both keys to your account: ${FIX}.`,
        ]);
    });

    it("passes an Allow for any account narrowed by a Deny to the stack's own", async () => {
        const doc: any = withCondition({
            StringLike: { "aws:SourceAccount": "*", "aws:SourceArn": "arn:aws:personalize:eu-west-1:${aws:SourceAccount}:*" },
        });
        doc.Statement.push(ONLY_MINE);
        assert.deepEqual(await verdict(doc), []);
    });

    it("fails a source ARN naming another account than aws:SourceAccount: no real request matches both", async () => {
        const found = await verdict(
            withCondition({
                StringEquals: { "aws:SourceAccount": ACCOUNT },
                StringLike: { "aws:SourceArn": `arn:aws:personalize:eu-west-1:${OTHER}:*` },
            }),
        );
        assert.deepEqual(found, [
            `${ROLE}Personalize acting for your account ${ACCOUNT} (aws:SourceAccount ${ACCOUNT}, aws:SourceArn ${IMPORT_ARN(ACCOUNT)}) ` +
                `can't assume it: in statement "Statement[0]", StringLike aws:SourceArn "arn:aws:personalize:eu-west-1:${OTHER}:*" doesn't hold; ` +
                `Personalize sends both keys for the same account, from the stack's region and partition: ${FIX}.`,
        ]);
    });

    it("fails a trust for another region or partition than the stack's, stating where the stack's came from", async () => {
        const stack = new StackBuilder();
        stack.add("pulumi:providers:aws", "default", { region: "us-east-1" });
        stack.role("personalize-role", JSON.stringify(personalizeTrust()), { "personalize-bucket": "data-bucket" });
        stack.rolePolicy("personalize-role", {
            Version: "2012-10-17",
            Statement: [{ Effect: "Allow", Action: "kms:Decrypt", Resource: KEY_ARN }],
        });
        const fix = `StringEquals aws:SourceAccount = ${ACCOUNT} and StringLike aws:SourceArn = arn:aws:personalize:us-east-1:${ACCOUNT}:*`;
        assert.deepEqual(
            (await stack.run(policy)).violations.map(v => v.message),
            [
                `${ROLE}Personalize acting for your account ${ACCOUNT} (aws:SourceAccount ${ACCOUNT}, aws:SourceArn ${IMPORT_ARN(ACCOUNT, "us-east-1")}; ` +
                    `the stack's account ${ACCOUNT} is taken from the ARNs the stack declares (arn:aws:kms:eu-west-1:${ACCOUNT}:...)) ` +
                    `can't assume it: in statement "Statement[0]", StringLike aws:SourceArn "arn:aws:personalize:eu-west-1:${ACCOUNT}:*" doesn't hold; ` +
                    `Personalize sends both keys for the same account, from the stack's region and partition: ${fix}.`,
            ],
        );
        const china = await verdict(personalizeTrust(), {
            "personalize-role-trust": { partition: "aws-cn", account: ACCOUNT, region: "cn-north-1" },
        });
        assert.match(
            china[0],
            /can't assume it: in statement "Statement\[0\]", StringLike aws:SourceArn "arn:aws:personalize:eu-west-1:123456789012:\*" doesn't hold/,
        );
    });

    it("fails safe when the stack's account is unknown, naming the accounts the trust admits", async () => {
        const found = await verdict(
            withCondition({
                StringEquals: { "aws:SourceAccount": [ACCOUNT, OTHER] },
                StringLike: { "aws:SourceArn": "arn:aws:personalize:eu-west-1:${aws:SourceAccount}:*" },
            }),
            {},
        );
        assert.deepEqual(found, [
            `${ROLE}the stack's account is unknown: the stack doesn't say; set "account" in the pack config, and it lets Personalize acting for ` +
                `account ${ACCOUNT} (statement "Statement[0]", e.g. from ${IMPORT_ARN(ACCOUNT)}), account ${OTHER} (statement "Statement[0]", e.g. from ${IMPORT_ARN(OTHER)}) ` +
                `assume the role; pin both keys to your account: StringEquals aws:SourceAccount = <account> and StringLike aws:SourceArn = arn:aws:personalize:<region>:<account>:*.`,
        ]);
    });

    it("fails safe on a condition it can't decide for Personalize's request", async () => {
        const found = await verdict(
            withCondition({
                StringEquals: { "aws:SourceAccount": ACCOUNT, "aws:SourceOrgID": "o-abc123" },
                StringLike: { "aws:SourceArn": `arn:aws:personalize:eu-west-1:${ACCOUNT}:*` },
            }),
        );
        assert.deepEqual(found, [
            `${ROLE}Personalize acting for your account ${ACCOUNT} (aws:SourceAccount ${ACCOUNT}, aws:SourceArn ${IMPORT_ARN(ACCOUNT)}) ` +
                `can't assume it: the condition of statement "Statement[0]" can't be decided for it; ` +
                `Personalize sends both keys for the same account, from the stack's region and partition: ${FIX}.`,
        ]);
    });

    it("fails safe on other accounts a condition it can't decide may admit", async () => {
        const found = await verdict(
            withCondition({
                StringLike: { "aws:SourceAccount": "*", "aws:SourceArn": "arn:aws:personalize:eu-west-1:${aws:SourceAccount}:*" },
                StringEquals: { "aws:SourceOrgID": "o-abc123" },
            }),
        );
        assert.deepEqual(found, [
            `${ROLE}it lets Personalize acting for accounts other than yours (${ACCOUNT}) assume the role: any account such as 000000000000 ` +
                `(statement "Statement[0]", if its undecidable condition holds, e.g. from ${IMPORT_ARN("000000000000")}); ` +
                `pin both keys to your account: ${FIX}; ` +
                `Personalize acting for your account ${ACCOUNT} (aws:SourceAccount ${ACCOUNT}, aws:SourceArn ${IMPORT_ARN(ACCOUNT)}) ` +
                `can't assume it: the condition of statement "Statement[0]" can't be decided for it; ` +
                `Personalize sends both keys for the same account, from the stack's region and partition: ${FIX}.`,
        ]);
    });

    it("counts no other account as admitted when a Deny refuses it for certain, whatever an undecidable Allow says", async () => {
        const doc: any = withCondition({
            StringLike: { "aws:SourceAccount": "*", "aws:SourceArn": "arn:aws:personalize:eu-west-1:${aws:SourceAccount}:*" },
            StringEquals: { "aws:SourceOrgID": "o-abc123" },
        });
        doc.Statement.push(ONLY_MINE);
        assert.deepEqual(await verdict(doc), [
            `${ROLE}Personalize acting for your account ${ACCOUNT} (aws:SourceAccount ${ACCOUNT}, aws:SourceArn ${IMPORT_ARN(ACCOUNT)}) ` +
                `can't assume it: the condition of statement "Statement[0]" can't be decided for it; ` +
                `Personalize sends both keys for the same account, from the stack's region and partition: ${FIX}.`,
        ]);
    });

    it("requires a batch role's trust to admit Personalize's batch jobs too", async () => {
        const importJobsOnly = withCondition({
            StringEquals: { "aws:SourceAccount": ACCOUNT },
            StringLike: { "aws:SourceArn": `arn:aws:personalize:eu-west-1:${ACCOUNT}:dataset-import-job/*` },
        });
        const stack = new StackBuilder();
        stack.bucket("data-bucket", { "personalize-workflow": "batch", "personalize-batch-output": "batch/output/" });
        stack.role("personalize-role", JSON.stringify(importJobsOnly), { "personalize-bucket": "data-bucket" });
        assert.deepEqual(
            (await stack.run(policy, CONFIGURED)).violations.map(v => v.message),
            [
                `${ROLE}Personalize acting for your account ${ACCOUNT} (aws:SourceAccount ${ACCOUNT}, ` +
                    `aws:SourceArn arn:aws:personalize:eu-west-1:${ACCOUNT}:batch-inference-job/personalize-batch) ` +
                    `can't assume it: in statement "Statement[0]", StringLike aws:SourceArn "arn:aws:personalize:eu-west-1:${ACCOUNT}:dataset-import-job/*" doesn't hold; ` +
                    `Personalize sends both keys for the same account, from the stack's region and partition: ${FIX}.`,
            ],
        );
        assert.deepEqual(await verdict(importJobsOnly), []);
    });

    it("fails other principals next to Personalize and everyone; leaves NotPrincipal, which IAM refuses in a trust, to policy-document-validity", async () => {
        const both = await verdict(trustWith(s => (s.Principal = { Service: ["personalize.amazonaws.com", "ec2.amazonaws.com"] })));
        assert.deepEqual(both, [
            `${ROLE}statement "Statement[0]" trusts {"Service":["personalize.amazonaws.com","ec2.amazonaws.com"]}, not personalize.amazonaws.com alone.`,
        ]);
        const anyone = await verdict(trustWith(s => (s.Principal = "*")));
        assert.deepEqual(anyone, [`${ROLE}statement "Statement[0]" trusts "*", not personalize.amazonaws.com alone.`]);
        const notPrincipal = await verdict(
            trustWith(s => {
                delete s.Principal;
                s.NotPrincipal = { AWS: "arn:aws:iam::111122223333:root" };
            }),
        );
        assert.deepEqual(notPrincipal, []);
    });

    it("fails a trust that a Deny makes unusable for Personalize", async () => {
        const doc: any = personalizeTrust();
        doc.Statement.push({ Sid: "NoOne", Effect: "Deny", Principal: "*", Action: "sts:AssumeRole" });
        assert.deepEqual(await verdict(doc), [
            `${ROLE}Personalize acting for your account ${ACCOUNT} (aws:SourceAccount ${ACCOUNT}, aws:SourceArn ${IMPORT_ARN(ACCOUNT)}) ` +
                `can't assume it: statement "NoOne" denies it; Personalize sends both keys for the same account, from the stack's region and partition: ${FIX}.`,
        ]);
    });

    it("skips a trust policy it can't read: policy-document-validity reports it, once for the pack", async () => {
        assert.deepEqual(await verdict("not json"), []);
    });
});

describe("personalize-role-trust: the stack's account comes from evidence, never from the trust itself", () => {
    const ROLE_TAG = { "personalize-bucket": "data-bucket" };
    const UNKNOWN_FIX =
        "StringEquals aws:SourceAccount = <account> and StringLike aws:SourceArn = arn:aws:personalize:<region>:<account>:*";
    const stackWith = (trust: object, tags: Record<string, string> = ROLE_TAG) => {
        const stack = new StackBuilder();
        stack.role("personalize-role", JSON.stringify(trust), tags);
        return stack;
    };
    const messages = async (stack: StackBuilder) => (await stack.run(policy)).violations.map(v => v.message);
    const literalVariable = (version: string | undefined) =>
        trustWith((s, doc) => {
            s.Condition.StringLike["aws:SourceArn"] = "arn:aws:personalize:eu-west-1:${aws:SourceAccount}:*";
            if (version === undefined) delete doc.Version;
            else doc.Version = version;
        });

    it("can't verify a trust that pins one account consistently when only the trust names it, naming the account and the setting", async () => {
        assert.deepEqual(await messages(stackWith(personalizeTrust(OTHER))), [
            `${ROLE}can't verify that it trusts the stack's own account: it lets Personalize acting for one account alone assume the role, ` +
                `account ${OTHER} (statement "Statement[0]", e.g. from ${IMPORT_ARN(OTHER)}), which is right only if ${OTHER} is the stack's account, ` +
                `and the stack's account is unknown: only the document being judged names it (${OTHER}), and a document can't vouch for itself; ` +
                `set "account" in the pack config (to "${OTHER}" if that is the stack's account; if not, pin both keys to your account: ${UNKNOWN_FIX}).`,
        ]);
    });

    it("fails that trust once the component's tags, the aws provider or the pack config say the stack's account", async () => {
        const expected = (stated: string) => [
            `${ROLE}it lets Personalize acting for accounts other than yours (${ACCOUNT}) assume the role: account ${OTHER} ` +
                `(statement "Statement[0]", e.g. from ${IMPORT_ARN(OTHER)}); pin both keys to your account: ${FIX}; ` +
                `Personalize acting for your account ${ACCOUNT} (aws:SourceAccount ${ACCOUNT}, aws:SourceArn ${IMPORT_ARN(ACCOUNT)}${stated}) ` +
                `can't assume it: in statement "Statement[0]", StringEquals aws:SourceAccount "${OTHER}" and StringLike aws:SourceArn ` +
                `"arn:aws:personalize:eu-west-1:${OTHER}:*" doesn't hold; Personalize sends both keys for the same account, from the stack's region and partition: ${FIX}.`,
        ];
        assert.deepEqual(await messages(stackWith(personalizeTrust(OTHER), serviceRoleTags("data-bucket"))), expected(""));
        const withProvider = stackWith(personalizeTrust(OTHER));
        withProvider.add("pulumi:providers:aws", "default", { region: "eu-west-1", allowedAccountIds: [ACCOUNT] });
        assert.deepEqual(await messages(withProvider), expected(""));
        assert.deepEqual(await verdict(personalizeTrust(OTHER)), expected(""));
    });

    it("fails a trust no account can use while the account is unknown: ${aws:SourceAccount} is literal text in 2008-10-17 or without Version", async () => {
        for (const version of ["2008-10-17", undefined]) {
            assert.deepEqual(
                await messages(stackWith(literalVariable(version))),
                [
                    `${ROLE}the stack's account is unknown: the stack doesn't say; set "account" in the pack config, and no account can use the role: ` +
                        `Personalize acting for account ${ACCOUNT} (aws:SourceAccount ${ACCOUNT}, aws:SourceArn ${IMPORT_ARN(ACCOUNT)}) can't assume it: ` +
                        `in statement "Statement[0]", StringLike aws:SourceArn "arn:aws:personalize:eu-west-1:\${aws:SourceAccount}:*" doesn't hold, ` +
                        `nor can Personalize acting for any other account, from any region; Personalize sends both keys for the same account: ${UNKNOWN_FIX}.`,
                ],
                String(version),
            );
        }
        assert.deepEqual(await messages(stackWith(literalVariable("2012-10-17"))), [
            `${ROLE}can't verify that it trusts the stack's own account: it lets Personalize acting for one account alone assume the role, ` +
                `account ${ACCOUNT} (statement "Statement[0]", e.g. from ${IMPORT_ARN(ACCOUNT)}), which is right only if ${ACCOUNT} is the stack's account, ` +
                `and the stack's account is unknown: the stack doesn't say; set "account" in the pack config ` +
                `(to "${ACCOUNT}" if that is the stack's account; if not, pin both keys to your account: ${UNKNOWN_FIX}).`,
        ]);
    });

    it("fails a trust that admits a whole class of accounts while the account is unknown, naming two of them", async () => {
        const lastDigit = withCondition({
            StringLike: { "aws:SourceAccount": "12345678901?", "aws:SourceArn": "arn:aws:personalize:eu-west-1:${aws:SourceAccount}:*" },
        });
        assert.deepEqual(await messages(stackWith(lastDigit)), [
            `${ROLE}the stack's account is unknown: the stack doesn't say; set "account" in the pack config, and it lets Personalize acting for ` +
                `any account such as 123456789010 (statement "Statement[0]", e.g. from ${IMPORT_ARN("123456789010")}), ` +
                `any account such as 123456789011 (statement "Statement[0]", e.g. from ${IMPORT_ARN("123456789011")}) assume the role; ` +
                `pin both keys to your account: ${UNKNOWN_FIX}.`,
        ]);
    });

    it("passes a trust whose aws:SourceArn allows any region of the stack's own account, once the account is known from evidence", async () => {
        const anyRegion = withCondition({
            StringEquals: { "aws:SourceAccount": ACCOUNT },
            StringLike: { "aws:SourceArn": `arn:aws:personalize:*:${ACCOUNT}:*` },
        });
        assert.deepEqual(await messages(stackWith(anyRegion, serviceRoleTags("data-bucket"))), []);
        assert.deepEqual(
            await messages(stackWith(anyRegion, { ...ROLE_TAG, "personalize-account": ACCOUNT })),
            [],
            "with the region unknown too",
        );
        assert.match(
            (await messages(stackWith(anyRegion)))[0],
            /^.*can't verify that it trusts the stack's own account: .*account 123456789012 /,
        );
    });

    it("keeps the account an earlier source names when other resources name other accounts (a partner's statement, a job role)", async () => {
        const partnered = (tags: Record<string, string>) => {
            const stack = stackWith(personalizeTrust(), tags);
            const read = guideBucketPolicy("data-bucket");
            read.Statement.push({ ...read.Statement[0], Sid: "PartnerReads", Principal: { AWS: `arn:aws:iam::${OTHER}:root` } as any });
            stack.bucketPolicy("data-bucket", read);
            stack.add("aws-native:personalize:Dataset", "interactions", {
                datasetImportJob: {
                    dataSource: { dataLocation: "s3://data-bucket/import/" },
                    roleArn: "arn:aws:iam::888888888888:role/importer",
                },
            });
            return stack;
        };
        assert.deepEqual(await messages(partnered(serviceRoleTags("data-bucket"))), []);
        const withProvider = partnered(ROLE_TAG);
        withProvider.add("pulumi:providers:aws", "default", { region: "eu-west-1", allowedAccountIds: JSON.stringify([ACCOUNT]) });
        assert.deepEqual(await messages(withProvider), []);
        // Without them, the other resources name three accounts: unknown, and the trust can't be verified.
        assert.match(
            (await messages(partnered(ROLE_TAG)))[0],
            /the stack's account is unknown: the stack names 2 accounts \(999999999999, 888888888888\); set "account" in the pack config \(to "123456789012"/,
        );
    });

    it("fails requests without aws:SourceArn admitted for another account only (the stack's own account must not be the only one tried)", async () => {
        const doc: any = personalizeTrust();
        doc.Statement.push({
            Sid: "NoSourceArnForPartner",
            Effect: "Allow",
            Principal: { Service: "personalize.amazonaws.com" },
            Action: "sts:AssumeRole",
            Condition: { StringEquals: { "aws:SourceAccount": OTHER }, Null: { "aws:SourceArn": "true" } },
        });
        assert.deepEqual(await verdict(doc), [
            `${ROLE}statement "NoSourceArnForPartner" lets Personalize assume the role when its request carries no aws:SourceArn ` +
                `(a confused deputy could use it); add StringLike aws:SourceArn = arn:aws:personalize:eu-west-1:${ACCOUNT}:*.`,
        ]);
    });
});
