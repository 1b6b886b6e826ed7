import * as assert from "node:assert/strict";
import type { PolicyResource } from "@pulumi/policy";
import { stackIdentity } from "../../policypack/stack/identity";
import { UNKNOWN } from "../../offline/recorder";
import { ACCOUNT, StackBuilder, personalizeTrust, validStack } from "./stack-builder";
import { policyResources } from "../../offline/policy-engine";

const config = { buckets: {}, partition: "aws", roleTrustPolicyLength: 2048 };

function identityOf(stack: StackBuilder, extra: Partial<typeof config & { account: string; region: string }> = {}) {
    return stackIdentity(policyResources(stack.resources) as PolicyResource[], { ...config, ...extra });
}

describe("stack identity: the stack's own account and region", () => {
    it("reads them from the ARNs the stack declares (the component's trust policy)", () => {
        const id = identityOf(validStack());
        assert.equal(id.account, ACCOUNT);
        assert.equal(id.region, "eu-west-1");
        assert.match(id.accountSource, /^the ARNs the stack declares \(arn:aws:personalize:eu-west-1:123456789012:\.\.\.\)$/);
    });

    it("prefers the pack config, then the aws provider, to the ARNs", () => {
        const stack = validStack();
        stack.add("pulumi:providers:aws", "default_7_0_0", { region: "us-east-1", allowedAccountIds: JSON.stringify(["210987654321"]) });
        const fromProvider = identityOf(stack);
        assert.deepEqual([fromProvider.account, fromProvider.region], ["210987654321", "us-east-1"]);
        assert.equal(fromProvider.regionSource, "the aws provider (region)");
        const fromConfig = identityOf(stack, { account: "111111111111", region: "ap-south-1" });
        assert.deepEqual(
            [fromConfig.account, fromConfig.region, fromConfig.accountSource],
            ["111111111111", "ap-south-1", "pack config (account)"],
        );
    });

    it("leaves the account unknown, naming the candidates, when the stack names two", () => {
        const stack = validStack();
        stack.role("other", JSON.stringify(personalizeTrust("999999999999")), {});
        const id = identityOf(stack);
        assert.equal(id.account, undefined);
        assert.equal(
            id.accountSource,
            'unknown: the stack names 2 accounts (123456789012, 999999999999); set "account" in the pack config',
        );
    });

    it("skips values unknown during preview instead of failing", () => {
        const stack = new StackBuilder();
        stack.add("pulumi:providers:aws", "default", { region: UNKNOWN });
        stack.role("r", UNKNOWN, {});
        const id = identityOf(stack);
        assert.equal(id.account, undefined);
        assert.equal(id.region, undefined);
        assert.equal(id.regionSource, 'unknown: the stack doesn\'t say; set "region" in the pack config');
    });
});
