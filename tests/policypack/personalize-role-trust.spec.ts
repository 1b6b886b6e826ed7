import * as assert from "node:assert/strict";
import { personalizeRoleTrust } from "../../policypack/policies/personalize-role-trust";
import { ACCOUNT, StackBuilder, personalizeTrust } from "./stack-builder";

const policy = [personalizeRoleTrust];
const PREFIX = 'Personalize service role "personalize-role", Role "personalize-role" (assumeRolePolicy): ';

async function verdict(trust: unknown, tags: Record<string, string> = { "personalize-bucket": "data-bucket" }): Promise<string[]> {
    const stack = new StackBuilder();
    stack.role("personalize-role", typeof trust === "string" ? trust : JSON.stringify(trust), tags);
    return (await stack.run(policy)).violations.map(v => v.message);
}

function trustWith(change: (statement: any) => void) {
    const doc = personalizeTrust();
    change(doc.Statement[0]);
    return doc;
}

describe("personalize-role-trust", () => {
    it("passes the component's trust policy, as a string or an object", async () => {
        assert.deepEqual(await verdict(personalizeTrust()), []);
        const stack = new StackBuilder();
        stack.role("personalize-role", personalizeTrust(), { "personalize-bucket": "data-bucket" });
        assert.deepEqual((await stack.run(policy)).violations, []);
    });

    it("ignores roles that are not marked as Personalize's", async () => {
        assert.deepEqual(await verdict({ Statement: { Effect: "Allow", Principal: "*", Action: "sts:AssumeRole" } }, {}), []);
    });

    it("fails a trust without the confused-deputy conditions", async () => {
        assert.deepEqual(await verdict(trustWith(s => delete s.Condition)), [
            `${PREFIX}it lets Personalize assume the role with no aws:SourceAccount and aws:SourceArn (a confused deputy could use it); add both conditions; ` +
                "it names no 12-digit aws:SourceAccount, so Personalize acting for your account can't be shown to assume it.",
        ]);
    });

    it("fails conditions that hold when the key is absent (IfExists)", async () => {
        const found = await verdict(trustWith(s => (s.Condition = { StringEqualsIfExists: { "aws:SourceAccount": ACCOUNT } })));
        assert.match(found[0], /no aws:SourceAccount and aws:SourceArn \(a confused deputy could use it\)/);
    });

    it("fails a source account that matches any account", async () => {
        const found = await verdict(
            trustWith(s => (s.Condition = { StringLike: { "aws:SourceAccount": "*", "aws:SourceArn": "arn:aws:personalize:*" } })),
        );
        assert.match(
            found[0],
            /it lets Personalize assume the role for any account; pin aws:SourceAccount and aws:SourceArn to your account/,
        );
    });

    it("fails other principals next to Personalize, everyone, and NotPrincipal", async () => {
        const both = await verdict(trustWith(s => (s.Principal = { Service: ["personalize.amazonaws.com", "ec2.amazonaws.com"] })));
        assert.match(
            both[0],
            /statement "Statement\[0\]" trusts \{"Service":\["personalize.amazonaws.com","ec2.amazonaws.com"\]\}, not personalize.amazonaws.com alone/,
        );
        const anyone = await verdict(trustWith(s => (s.Principal = "*")));
        assert.match(anyone[0], /trusts "\*", not personalize.amazonaws.com alone/);
        const notPrincipal = await verdict(
            trustWith(s => {
                delete s.Principal;
                s.NotPrincipal = { AWS: "arn:aws:iam::111122223333:root" };
            }),
        );
        assert.match(notPrincipal[0], /allows with NotPrincipal, which trusts every principal not listed/);
    });

    it("fails a trust that a Deny makes unusable for Personalize", async () => {
        const doc: any = personalizeTrust();
        doc.Statement.push({ Sid: "NoOne", Effect: "Deny", Principal: "*", Action: "sts:AssumeRole" });
        assert.deepEqual(await verdict(doc), [`${PREFIX}Personalize acting for account ${ACCOUNT} can't assume it.`]);
    });

    it("skips a trust policy it can't read: policy-document-validity reports it, once for the pack", async () => {
        assert.deepEqual(await verdict("not json"), []);
    });
});
