import assert from "node:assert/strict";
import { knownConditionKeys } from "../../policypack/policies/known-condition-keys";
import type { PackConfigFile } from "../../offline/policy-engine";
import { StackBuilder, guideBucketPolicy, personalizeTrust } from "./stack-builder";

const B = "data-bucket";
const ROLE = "personalize-role";
const ABSENT =
    "so no request carries it and IAM evaluates the condition as if the key were absent (StringEquals never matches, StringNotEquals always does).";

/** A Personalize bucket whose policy's one grant carries the condition. */
function bucketWithCondition(condition: Record<string, Record<string, unknown>>): StackBuilder {
    const stack = new StackBuilder();
    stack.bucket(B, { "personalize-workflow": "import" });
    const doc = guideBucketPolicy(B);
    stack.bucketPolicy(B, { ...doc, Statement: [{ ...doc.Statement[0], Condition: condition }] });
    return stack;
}

async function violations(stack: StackBuilder, config: PackConfigFile = {}) {
    return (await stack.run([knownConditionKeys], config)).violations;
}

const messages = async (stack: StackBuilder) => (await violations(stack)).map(v => v.message);

describe("known-condition-keys", () => {
    it("accepts global keys and the service's keys, in any case: case alone is no typo, IAM ignores it", async () => {
        for (const key of [
            "aws:SourceVpc",
            "aws:SourceVPC",
            "AWS:SOURCEVPC",
            "s3:TlsVersion",
            "s3:tlsversion",
            "aws:PrincipalTag/team",
            "aws:SourceOrgID",
        ]) {
            assert.deepEqual(await messages(bucketWithCondition({ StringEquals: { [key]: "x" } })), [], key);
        }
    });

    it("flags a misspelt global key, advisory by default, naming the closest known key", async () => {
        const found = await violations(bucketWithCondition({ StringNotEquals: { "aws:SourceVcp": "vpc-1" } }));
        assert.deepEqual(
            found.map(v => [v.enforcementLevel, v.message]),
            [
                [
                    "advisory",
                    `BucketPolicy "${B}-policy": Statement[0] "PersonalizeS3BucketAccessPolicy": condition key "aws:SourceVcp" (StringNotEquals) ` +
                        `is neither a global condition key nor a key of its service, ${ABSENT} Did you mean "aws:SourceVpc"?`,
                ],
            ],
        );
    });

    it("names the closest key of the service for a misspelt service key, and of a tag key with its own tag", async () => {
        assert.match(
            (await messages(bucketWithCondition({ NumericLessThan: { "s3:TlsVersoin": "1.2" } })))[0],
            /Did you mean "s3:TlsVersion"\?$/,
        );
        assert.match(
            (await messages(bucketWithCondition({ StringEquals: { "aws:PrincipalTags/team": "x" } })))[0],
            /Did you mean "aws:PrincipalTag\/team"\?$/,
        );
    });

    it("names every key equally close", async () => {
        assert.match(
            (await messages(bucketWithCondition({ StringEquals: { "aws:SourceVpe": "vpce-1" } })))[0],
            /Did you mean "aws:SourceVpc" or "aws:SourceVpce"\?$/,
        );
    });

    it("gives no suggestion for a key without a service prefix", async () => {
        assert.deepEqual(await messages(bucketWithCondition({ StringEquals: { SourceVpc: "vpc-1" } })), [
            `BucketPolicy "${B}-policy": Statement[0] "PersonalizeS3BucketAccessPolicy": condition key "SourceVpc" (StringEquals) ` +
                `is neither a global condition key nor a key of its service, ${ABSENT} Check its spelling.`,
        ]);
    });

    it("reads the role's trust and identity policies too, and leaves web identity provider keys alone", async () => {
        const stack = new StackBuilder();
        stack.bucket(B, { "personalize-workflow": "import" });
        const trust = personalizeTrust();
        trust.Statement[0].Condition = {
            StringEquals: { "aws:SourceAcount": "123456789012", "token.actions.githubusercontent.com:aud": "sts.amazonaws.com" },
        } as never;
        stack.role(ROLE, JSON.stringify(trust), { "personalize-bucket": B });
        assert.deepEqual(await messages(stack), [
            `Role "${ROLE}" (assumeRolePolicy): Statement[0]: condition key "aws:SourceAcount" (StringEquals) ` +
                `is neither a global condition key nor a key of its service, ${ABSENT} Did you mean "aws:SourceAccount"?`,
        ]);
    });

    it("is mandatory where the stack's policy config says so", async () => {
        const found = await violations(bucketWithCondition({ StringEquals: { "aws:SourceVcp": "vpc-1" } }), {
            "known-condition-keys": "mandatory",
        });
        assert.deepEqual(
            found.map(v => v.enforcementLevel),
            ["mandatory"],
        );
    });

    it("skips a document it can't read: policy-document-validity reports it", async () => {
        const stack = new StackBuilder();
        stack.bucket(B, { "personalize-workflow": "import" });
        stack.bucketPolicy(B, '{"Statement": [{"Condition": {"StringEquals": {"aws:SourceVcp": "x"}}}]');
        assert.deepEqual(await messages(stack), []);
    });
});
