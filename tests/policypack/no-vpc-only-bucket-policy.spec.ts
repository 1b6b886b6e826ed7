import * as assert from "node:assert/strict";
import { noVpcOnlyBucketPolicy } from "../../policypack/policies/no-vpc-only-bucket-policy";
import { StackBuilder, guideBucketPolicy } from "./stack-builder";

const policy = [noVpcOnlyBucketPolicy];

function withStatements(...extra: object[]): StackBuilder {
    const stack = new StackBuilder();
    stack.bucket("data-bucket", { "personalize-workflow": "import" });
    const doc = guideBucketPolicy("data-bucket");
    stack.bucketPolicy("data-bucket", { ...doc, Statement: [...doc.Statement, ...extra] });
    return stack;
}

describe("no-vpc-only-bucket-policy", () => {
    it("passes a policy without VPC conditions", async () => {
        assert.deepEqual((await withStatements().run(policy)).violations, []);
    });

    it("quotes the statement by Sid, the key as written and its operator, and says why", async () => {
        const deny = {
            Sid: "VpcOnly",
            Effect: "Deny",
            Principal: "*",
            Action: "s3:*",
            Resource: "*",
            Condition: { StringNotEquals: { "aws:SourceVpce": "vpce-1a2b3c4d" } },
        };
        const { violations } = await withStatements(deny).run(policy);
        assert.deepEqual(
            violations.map(v => v.message),
            [
                'BucketPolicy "data-bucket-policy", statement "VpcOnly" (Deny): its condition tests aws:SourceVpce (StringNotEquals). ' +
                    "Amazon Personalize doesn't communicate with AWS VPCs and runs on no EC2 instance of yours, so its requests never carry " +
                    'aws:SourceVpce and it can\'t use bucket "data-bucket" if the policy allows only VPC access. Remove the VPC key from this statement.',
            ],
        );
        assert.equal(violations[0].urn, "urn:pulumi:test::project::aws:s3/bucketPolicy:BucketPolicy::data-bucket-policy");
    });

    it("names a statement without Sid by its index, and reports each VPC statement", async () => {
        const allow = {
            Effect: "Allow",
            Principal: "*",
            Action: "s3:GetObject",
            Resource: "*",
            Condition: { "ForAnyValue:StringEquals": { "AWS:SOURCEVPC": ["vpc-1"] } },
        };
        const deny = {
            Effect: "Deny",
            Principal: "*",
            Action: "s3:*",
            Resource: "*",
            Condition: { StringNotEqualsIfExists: { "aws:vpcsourceip": "10.0.0.0/8" } },
        };
        const messages = (await withStatements(allow, deny).run(policy)).violations.map(v => v.message);
        assert.equal(messages.length, 2);
        assert.match(messages[0], /statement "Statement\[1\]" \(Allow\): its condition tests AWS:SOURCEVPC \(ForAnyValue:StringEquals\)/);
        assert.match(messages[1], /statement "Statement\[2\]" \(Deny\): its condition tests aws:vpcsourceip \(StringNotEqualsIfExists\)/);
    });

    it("skips a document it can't read: policy-document-validity reports it, once for the pack", async () => {
        const stack = new StackBuilder();
        stack.bucket("data-bucket", { "personalize-workflow": "import" });
        stack.bucketPolicy("data-bucket", '{"Statement": [');
        assert.deepEqual((await stack.run(policy)).violations, []);
    });

    it("knows the EC2-instance network-origin keys, and a VPC key used as a policy variable in Resource or a condition value", async () => {
        const deny = (sid: string, extra: object) => ({
            Sid: sid,
            Effect: "Deny",
            Principal: "*",
            Action: "s3:*",
            Resource: "*",
            ...extra,
        });
        const found = (
            await withStatements(
                deny("InstanceVpc", { Condition: { StringNotEquals: { "aws:Ec2InstanceSourceVpc": "vpc-1" } } }),
                deny("InstanceIp", { Condition: { NotIpAddress: { "aws:Ec2InstanceSourcePrivateIPv4": "10.0.0.0/8" } } }),
                {
                    Sid: "EndpointFolder",
                    Effect: "Deny",
                    Principal: "*",
                    Action: "s3:*",
                    NotResource: "arn:aws:s3:::data-bucket/${aws:SourceVpce}/*",
                },
                deny("SameVpc", { Condition: { StringNotEquals: { "aws:ResourceTag/vpc": "${aws:SourceVpc}" } } }),
            ).run(policy)
        ).violations.map(v => v.message);
        const why =
            "Amazon Personalize doesn't communicate with AWS VPCs and runs on no EC2 instance of yours, so its requests never carry";
        assert.deepEqual(found, [
            `BucketPolicy "data-bucket-policy", statement "InstanceVpc" (Deny): its condition tests aws:Ec2InstanceSourceVpc (StringNotEquals). ${why} aws:Ec2InstanceSourceVpc and it can't use bucket "data-bucket" if the policy allows only VPC access. Remove the VPC key from this statement.`,
            `BucketPolicy "data-bucket-policy", statement "InstanceIp" (Deny): its condition tests aws:Ec2InstanceSourcePrivateIPv4 (NotIpAddress). ${why} aws:Ec2InstanceSourcePrivateIPv4 and it can't use bucket "data-bucket" if the policy allows only VPC access. Remove the VPC key from this statement.`,
            `BucketPolicy "data-bucket-policy", statement "EndpointFolder" (Deny): its NotResource uses aws:SourceVpce as a policy variable. ${why} aws:SourceVpce and it can't use bucket "data-bucket" if the policy allows only VPC access. Remove the VPC key from this statement.`,
            `BucketPolicy "data-bucket-policy", statement "SameVpc" (Deny): its condition value for aws:ResourceTag/vpc uses aws:SourceVpc as a policy variable. ${why} aws:SourceVpc and it can't use bucket "data-bucket" if the policy allows only VPC access. Remove the VPC key from this statement.`,
        ]);
    });

    it("takes ${aws:SourceVpce} in a 2008-10-17 document as the literal text it is there", async () => {
        const stack = new StackBuilder();
        stack.bucket("data-bucket", { "personalize-workflow": "import" });
        const doc = guideBucketPolicy("data-bucket");
        stack.bucketPolicy("data-bucket", {
            Version: "2008-10-17",
            Statement: [
                ...doc.Statement,
                { Effect: "Deny", Principal: "*", Action: "s3:*", Resource: "arn:aws:s3:::data-bucket/${aws:SourceVpce}/*" },
            ],
        });
        assert.deepEqual((await stack.run(policy)).violations, []);
    });
});
