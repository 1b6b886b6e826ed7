import * as assert from "node:assert/strict";
import type { PolicyResource } from "@pulumi/policy";
import { stackIdentity } from "../../policypack/stack/identity";
import { UNKNOWN } from "../../offline/recorder";
import { ACCOUNT, StackBuilder, personalizeTrust, serviceRoleTags, validStack } from "./stack-builder";
import { policyResources } from "../../offline/policy-engine";

const config = { buckets: {}, partition: "aws", roleTrustPolicyLength: 2048 };
const OTHER = "999999999999";
const KEY_ARN = `arn:aws:kms:eu-west-1:${ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab`;

function identityOf(stack: StackBuilder, extra: Partial<typeof config & { account: string; region: string }> = {}, judged: string[] = []) {
    return stackIdentity(policyResources(stack.resources) as PolicyResource[], { ...config, ...extra }, judged);
}

/** A role whose trust is the only place that names an account, judged or not. */
function untaggedRole(account = ACCOUNT): { stack: StackBuilder; role: string } {
    const stack = new StackBuilder();
    const role = stack.role("personalize-role", JSON.stringify(personalizeTrust(account)), { "personalize-bucket": "data-bucket" });
    return { stack, role };
}

describe("stack identity: the stack's own account and region", () => {
    it("takes them from the tags the component gives its service role", () => {
        const id = identityOf(validStack());
        assert.deepEqual(
            [id.account, id.region, id.accountSource, id.regionSource],
            [
                ACCOUNT,
                "eu-west-1",
                'the tag personalize-account (Role "personalize-role")',
                'the tag personalize-region (Role "personalize-role")',
            ],
        );
    });

    it("reads them from the ARNs of resources other than the ones whose documents are judged", () => {
        const { stack, role } = untaggedRole();
        stack.rolePolicy("personalize-role", {
            Version: "2012-10-17",
            Statement: [{ Effect: "Allow", Action: "kms:Decrypt", Resource: KEY_ARN }],
        });
        const id = identityOf(stack, {}, [role]);
        assert.deepEqual([id.account, id.region], [ACCOUNT, "eu-west-1"]);
        assert.equal(id.accountSource, `the ARNs the stack declares (arn:aws:kms:eu-west-1:${ACCOUNT}:...)`);
    });

    it("never takes them from the judged document: a trust naming a foreign account leaves them unknown, and says why", () => {
        const { stack, role } = untaggedRole(OTHER);
        const judged = identityOf(stack, {}, [role]);
        assert.deepEqual([judged.account, judged.region], [undefined, undefined]);
        assert.equal(
            judged.accountSource,
            `unknown: only the document being judged names it (${OTHER}), and a document can't vouch for itself; set "account" in the pack config`,
        );
        assert.equal(
            judged.regionSource,
            `unknown: only the document being judged names it (eu-west-1), and a document can't vouch for itself; set "region" in the pack config`,
        );
        // Judging another document, the trust's ARNs are evidence like any other resource's.
        assert.equal(identityOf(stack).account, OTHER);
    });

    it("prefers the pack config, then the aws provider, then the component's tags, to the ARNs", () => {
        const stack = validStack();
        stack.role("foreign", JSON.stringify(personalizeTrust(OTHER)), {});
        const fromTags = identityOf(stack);
        assert.deepEqual([fromTags.account, fromTags.region], [ACCOUNT, "eu-west-1"]);
        stack.add("pulumi:providers:aws", "default_7_0_0", { region: "us-east-1", allowedAccountIds: JSON.stringify(["210987654321"]) });
        const fromProvider = identityOf(stack);
        assert.deepEqual([fromProvider.account, fromProvider.region], ["210987654321", "us-east-1"]);
        assert.deepEqual(
            [fromProvider.accountSource, fromProvider.regionSource],
            ["the aws provider (allowedAccountIds)", "the aws provider (region)"],
        );
        const fromConfig = identityOf(stack, { account: "111111111111", region: "ap-south-1" });
        assert.deepEqual(
            [fromConfig.account, fromConfig.region, fromConfig.accountSource],
            ["111111111111", "ap-south-1", "pack config (account)"],
        );
    });

    it("leaves the account unknown, naming the candidates, when the stack names two and no earlier source decides", () => {
        const { stack } = untaggedRole();
        stack.role("other", JSON.stringify(personalizeTrust(OTHER)), {});
        const id = identityOf(stack);
        assert.equal(id.account, undefined);
        assert.equal(id.accountSource, `unknown: the stack names 2 accounts (${ACCOUNT}, ${OTHER}); set "account" in the pack config`);
        // Two service roles tagged with two accounts decide nothing either.
        const twoTags = validStack();
        twoTags.role("other-role", JSON.stringify(personalizeTrust(OTHER)), serviceRoleTags("other-bucket", OTHER));
        assert.equal(
            identityOf(twoTags).accountSource,
            `unknown: the stack names 2 accounts (${ACCOUNT}, ${OTHER}); set "account" in the pack config`,
        );
    });

    it("skips values unknown during preview instead of failing, one property at a time", () => {
        const stack = new StackBuilder();
        stack.add("pulumi:providers:aws", "default", { region: UNKNOWN });
        stack.role("r", UNKNOWN, { "personalize-bucket": "b", "personalize-account": UNKNOWN, "personalize-region": UNKNOWN });
        const id = identityOf(stack);
        assert.equal(id.account, undefined);
        assert.equal(id.region, undefined);
        assert.equal(id.regionSource, 'unknown: the stack doesn\'t say; set "region" in the pack config');
        // An import job whose dataset group ARN is unknown in preview still names its role's account.
        stack.add("aws-native:personalize:Dataset", "interactions", {
            datasetGroupArn: UNKNOWN,
            datasetImportJob: { roleArn: `arn:aws:iam::${ACCOUNT}:role/importer` },
        });
        assert.equal(identityOf(stack).account, ACCOUNT);
    });

    it("takes only well-formed tag values", () => {
        const stack = new StackBuilder();
        stack.role("r", "{}", { "personalize-bucket": "b", "personalize-account": "12345", "personalize-region": "Europe" });
        const id = identityOf(stack);
        assert.deepEqual([id.account, id.region], [undefined, undefined]);
    });
});
