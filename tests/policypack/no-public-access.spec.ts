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

    const FIX =
        'or pin fixed values with a condition S3 counts, e.g. "Condition": {"StringEquals": {"aws:PrincipalOrgID": "o-xxxxxxxxxx"}} or {"IpAddress": {"aws:SourceIp": "203.0.113.0/24"}} (no wider than /8 for IPv4, /32 for IPv6).';
    const BAD =
        "(bad actions: S3 counts s3:Get*, s3:List*, s3:Put*, s3:Delete*, s3:AbortMultipartUpload, s3:RestoreObject as exposing data)";
    const publicMessage = (
        sid: string,
        grantee: string,
        pinning: string,
        actions: string,
        fix = 'Name the principals who may call instead of "*"',
    ) =>
        `BucketPolicy "data-bucket-policy", statement "${sid}": it allows ${grantee} ${pinning}, and grants ${actions} ${BAD}, ` +
        `so S3 counts the policy as public and bucket "data-bucket" is open to them. ${fix}, ${FIX}`;
    const NO_CONDITION = "without a condition that pins who may call";

    it('fails an Allow for everyone, as "*" or {AWS: "*"}', async () => {
        const expected = [publicMessage("Anyone", 'everyone ("*")', NO_CONDITION, "s3:GetObject")];
        assert.deepEqual(await messages(bucketWith(readAll)), expected);
        assert.deepEqual(await messages(bucketWith({ ...readAll, Principal: { AWS: ["*"] } })), expected);
    });

    it("fails an Allow with NotPrincipal, and one to an identity provider's users", async () => {
        const { Principal: _, ...rest } = readAll;
        assert.deepEqual(await messages(bucketWith({ ...rest, NotPrincipal: { AWS: "arn:aws:iam::111122223333:root" } })), [
            publicMessage(
                "Anyone",
                "every principal but those in NotPrincipal",
                NO_CONDITION,
                "s3:GetObject",
                "Replace NotPrincipal with a Principal that names who may call",
            ),
        ]);
        assert.deepEqual(await messages(bucketWith({ ...readAll, Principal: { Federated: "graph.facebook.com" } })), [
            publicMessage(
                "Anyone",
                'anyone who signs in with "graph.facebook.com" (Federated)',
                NO_CONDITION,
                "s3:GetObject",
                "Name a role that the provider's users assume instead of the provider",
            ),
        ]);
    });

    it("names at most three bad actions, and counts the rest", async () => {
        const actions = ["s3:ReplicateObject", "s3:GetObject", "s3:PutObject", "s3:DeleteObject", "s3:ListBucket", "s3:RestoreObject"];
        assert.deepEqual(await messages(bucketWith({ ...readAll, Action: actions })), [
            publicMessage("Anyone", 'everyone ("*")', NO_CONDITION, "s3:GetObject, s3:PutObject, s3:DeleteObject and 2 more"),
        ]);
    });

    it("passes a grant to everyone of actions S3 doesn't count as bad", async () => {
        assert.deepEqual(await messages(bucketWith({ ...readAll, Action: ["s3:ReplicateObject", "s3:ReplicateTags"] })), []);
    });

    it("passes a grant to everyone pinned to fixed values of a key S3 lists", async () => {
        for (const condition of [
            { StringEquals: { "aws:PrincipalOrgID": "o-abc123" } },
            { IpAddress: { "aws:SourceIp": "203.0.113.0/24" } },
            { IpAddress: { "aws:SourceIp": "2001:db8::/32" } },
            { StringEquals: { "aws:SourceVpce": "vpce-1a2b3c4d" } },
        ]) {
            assert.deepEqual(await messages(bucketWith({ ...readAll, Condition: condition })), [], JSON.stringify(condition));
        }
    });

    it("fails conditions that don't pin, saying which and why", async () => {
        for (const [condition, why] of [
            [{ StringLike: { "aws:SourceAccount": "*" } }, 'StringLike aws:SourceAccount: "*" has a wildcard'],
            [
                { StringEqualsIfExists: { "aws:PrincipalOrgID": "o-abc123" } },
                "StringEqualsIfExists aws:PrincipalOrgID: …IfExists also holds when the request lacks the key",
            ],
            [
                { "ForAllValues:StringEquals": { "aws:PrincipalOrgID": "o-abc123" } },
                "ForAllValues:StringEquals aws:PrincipalOrgID: ForAllValues: also holds when the request lacks the key",
            ],
            [
                { StringNotEquals: { "aws:SourceAccount": "111122223333" } },
                "StringNotEquals aws:SourceAccount: StringNotEquals lets every other value through",
            ],
            [{ IpAddress: { "aws:SourceIp": "0.0.0.0/0" } }, 'IpAddress aws:SourceIp: "0.0.0.0/0" is broader than /8'],
            [{ IpAddress: { "aws:SourceIp": "::/0" } }, 'IpAddress aws:SourceIp: "::/0" is broader than /32'],
            [{ IpAddress: { "aws:SourceIp": ["0.0.0.0/1", "128.0.0.0/1"] } }, 'IpAddress aws:SourceIp: "0.0.0.0/1" is broader than /8'],
            [
                { StringEquals: { "aws:SourceAccount": "${aws:SourceAccount}" } },
                'StringEquals aws:SourceAccount: "${aws:SourceAccount}" is a policy variable, not a fixed value',
            ],
            [
                { Bool: { "aws:SecureTransport": "true" } },
                "Bool aws:SecureTransport: aws:SecureTransport is not a key S3 counts as limiting who may call",
            ],
        ] as const) {
            assert.deepEqual(
                await messages(bucketWith({ ...readAll, Condition: condition })),
                [publicMessage("Anyone", 'everyone ("*")', `and none of its conditions pins who may call (${why})`, "s3:GetObject")],
                JSON.stringify(condition),
            );
        }
    });

    it("reports each public statement, and skips a document it can't read (another policy reports it)", async () => {
        const stack = bucketWith({ ...readAll, Sid: "First" });
        stack.bucketPolicy(
            "data-bucket",
            { Version: "2012-10-17", Statement: [{ ...readAll, Sid: "Second", Action: "s3:PutObject" }] },
            "second-policy",
        );
        stack.bucketPolicy("data-bucket", '{"Statement": [{"Sid": "Unreadable", "Effect": "Allow", "Principal": "*"', "broken-policy");
        assert.deepEqual(await messages(stack), [
            publicMessage("First", 'everyone ("*")', NO_CONDITION, "s3:GetObject"),
            publicMessage("Second", 'everyone ("*")', NO_CONDITION, "s3:PutObject").replace(
                'BucketPolicy "data-bucket-policy"',
                'BucketPolicy "second-policy"',
            ),
        ]);
    });
});
