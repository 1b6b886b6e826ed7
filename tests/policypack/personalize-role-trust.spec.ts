import * as assert from "node:assert/strict";
import { personalizeRoleTrust } from "../../policypack/policies/personalize-role-trust";
import { personalizeTrustPolicy } from "../../components/policy-documents";
import type { PackConfigFile } from "../../offline/policy-engine";
import { ACCOUNT, StackBuilder, personalizeTrust } from "./stack-builder";

const policy = [personalizeRoleTrust];
const ROLE = 'Personalize service role "personalize-role", Role "personalize-role" (assumeRolePolicy): ';
const OTHER = "999999999999";
const FIX = `StringEquals aws:SourceAccount = ${ACCOUNT} and StringLike aws:SourceArn = arn:aws:personalize:eu-west-1:${ACCOUNT}:*`;
/** The stack's account and region as the pack config gives them, so messages state no assumption. */
const CONFIGURED: PackConfigFile = { "personalize-role-trust": { account: ACCOUNT, region: "eu-west-1" } };
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
    it("passes the component's trust policy, as a string or an object, with the account from config or from its own ARNs", async () => {
        assert.deepEqual(await verdict(personalizeTrust()), []);
        assert.deepEqual(await verdict(personalizeTrust(), {}), []);
        const stack = new StackBuilder();
        stack.role("personalize-role", personalizeTrust(), { "personalize-bucket": "data-bucket" });
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
        const fix = `StringEquals aws:SourceAccount = ${ACCOUNT} and StringLike aws:SourceArn = arn:aws:personalize:us-east-1:${ACCOUNT}:*`;
        assert.deepEqual(
            (await stack.run(policy)).violations.map(v => v.message),
            [
                `${ROLE}Personalize acting for your account ${ACCOUNT} (aws:SourceAccount ${ACCOUNT}, aws:SourceArn ${IMPORT_ARN(ACCOUNT, "us-east-1")}; ` +
                    `the stack's account ${ACCOUNT} is taken from the ARNs the stack declares (arn:aws:personalize:eu-west-1:${ACCOUNT}:...)) ` +
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
