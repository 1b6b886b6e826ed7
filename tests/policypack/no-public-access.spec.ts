import * as assert from "node:assert/strict";
import { noPublicAccess } from "../../policypack/policies/no-public-access";
import { StackBuilder, guideBucketPolicy, validStack } from "./stack-builder";

const policy = [noPublicAccess];
const messages = async (stack: StackBuilder) => (await stack.run(policy)).violations.map(v => v.message);

function bucketWith(statement: object | undefined, pab: object | false = {}): StackBuilder {
    const stack = new StackBuilder();
    stack.bucket("data-bucket", { "personalize-workflow": "import" });
    if (pab) stack.publicAccessBlock("data-bucket", pab);
    const doc = guideBucketPolicy("data-bucket");
    stack.bucketPolicy("data-bucket", { ...doc, Statement: [...doc.Statement, ...(statement ? [statement] : [])] });
    return stack;
}

const readAll = { Sid: "Anyone", Effect: "Allow", Principal: "*", Action: "s3:GetObject", Resource: "arn:aws:s3:::data-bucket/*" };

describe("no-public-access", () => {
    it("passes the component's bucket", async () => {
        assert.deepEqual(await messages(validStack()), []);
    });

    it("fails a bucket without a public access block, and one with a setting off, naming the settings", async () => {
        assert.deepEqual(await messages(bucketWith(undefined, false)), [
            'Personalize bucket "data-bucket" has no BucketPublicAccessBlock: set blockPublicAcls, blockPublicPolicy, ignorePublicAcls, restrictPublicBuckets to true. ' +
                "Block Public Access does not block Personalize's service principal.",
        ]);
        assert.deepEqual(await messages(bucketWith(undefined, { restrictPublicBuckets: false })), [
            'Personalize bucket "data-bucket" has Block Public Access settings off (BucketPublicAccessBlock "data-bucket-pab"): set restrictPublicBuckets to true. ' +
                "Block Public Access does not block Personalize's service principal.",
        ]);
    });

    it("accepts an account-wide public access block with all four settings on", async () => {
        const stack = bucketWith(undefined, false);
        stack.add("aws:s3/accountPublicAccessBlock:AccountPublicAccessBlock", "account", {
            blockPublicAcls: true,
            blockPublicPolicy: true,
            ignorePublicAcls: true,
            restrictPublicBuckets: true,
        });
        assert.deepEqual(await messages(stack), []);
    });

    it('fails an Allow for everyone, as "*" or {AWS: "*"}', async () => {
        const expected = [
            'BucketPolicy "data-bucket-policy", statement "Anyone": it allows everyone ("*") without a condition that pins the source or organisation, ' +
                'so bucket "data-bucket" is public. Grant named principals instead.',
        ];
        assert.deepEqual(await messages(bucketWith(readAll)), expected);
        assert.deepEqual(await messages(bucketWith({ ...readAll, Principal: { AWS: ["*"] } })), expected);
    });

    it("fails an Allow with NotPrincipal", async () => {
        const { Principal: _, ...rest } = readAll;
        const [message] = await messages(bucketWith({ ...rest, NotPrincipal: { AWS: "arn:aws:iam::111122223333:root" } }));
        assert.match(message, /it allows every principal but those in NotPrincipal without a condition/);
    });

    it("passes a grant to everyone pinned to fixed values of a source or organisation key", async () => {
        assert.deepEqual(await messages(bucketWith({ ...readAll, Condition: { StringEquals: { "aws:PrincipalOrgID": "o-abc123" } } })), []);
        assert.deepEqual(await messages(bucketWith({ ...readAll, Condition: { IpAddress: { "aws:SourceIp": "203.0.113.0/24" } } })), []);
    });

    it("fails conditions that don't pin: wildcards, IfExists, negation, keys that say nothing of who", async () => {
        for (const condition of [
            { StringLike: { "aws:SourceAccount": "*" } },
            { StringEqualsIfExists: { "aws:PrincipalOrgID": "o-abc123" } },
            { StringNotEquals: { "aws:SourceAccount": "111122223333" } },
            { IpAddress: { "aws:SourceIp": "0.0.0.0/0" } },
            { Bool: { "aws:SecureTransport": "true" } },
        ]) {
            assert.equal((await messages(bucketWith({ ...readAll, Condition: condition }))).length, 1, JSON.stringify(condition));
        }
    });
});
