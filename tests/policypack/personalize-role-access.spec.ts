import * as assert from "node:assert/strict";
import { personalizeRoleAccess } from "../../policypack/policies/personalize-role-access";
import { StackBuilder, personalizeTrust, validStack } from "./stack-builder";

const policy = [personalizeRoleAccess];
const grant = (actions: string[], resources = ["arn:aws:s3:::data-bucket", "arn:aws:s3:::data-bucket/*"]) => ({
    Version: "2012-10-17",
    Statement: [{ Effect: "Allow", Action: actions, Resource: resources }],
});

function batchStackWithRole(): StackBuilder {
    const stack = new StackBuilder();
    stack.bucket("data-bucket", { "personalize-workflow": "batch", "personalize-batch-output": "out/" });
    stack.role("personalize-role", JSON.stringify(personalizeTrust()), { "personalize-bucket": "data-bucket" });
    return stack;
}

const messages = async (stack: StackBuilder) => (await stack.run(policy)).violations.map(v => v.message);

describe("personalize-role-access", () => {
    it("passes the component's inline role policy", async () => {
        assert.deepEqual(await messages(validStack("data-bucket", "import")), []);
        assert.deepEqual(await messages(validStack("data-bucket", "batch")), []);
    });

    it("fails a batch role without PutObject on the output folder", async () => {
        const stack = batchStackWithRole();
        stack.rolePolicy("personalize-role", JSON.stringify(grant(["s3:GetObject", "s3:ListBucket"])));
        assert.deepEqual(await messages(stack), [
            'Personalize service role "personalize-role" can\'t do what Personalize needs on bucket "data-bucket" ' +
                "(assuming the role has no permissions boundary, as the stack sets none): " +
                "s3:PutObject on every key under arn:aws:s3:::data-bucket/out/ is not allowed by any statement.",
        ]);
    });

    it("combines every policy of the role: inline, the role's inlinePolicies and attached managed ones", async () => {
        const stack = batchStackWithRole();
        stack.rolePolicy("personalize-role", grant(["s3:ListBucket"], ["arn:aws:s3:::data-bucket"]));
        stack.resources.find(r => r.type === "aws:iam/role:Role")!.inputs.inlinePolicies = [
            { name: "read", policy: JSON.stringify(grant(["s3:GetObject"], ["arn:aws:s3:::data-bucket/*"])) },
        ];
        stack.add("aws:iam/policy:Policy", "writer", {
            name: "PersonalizeWriter",
            path: "/personalize/",
            policy: JSON.stringify(grant(["s3:PutObject"], ["arn:aws:s3:::data-bucket/out/*"])),
        });
        stack.add("aws:iam/rolePolicyAttachment:RolePolicyAttachment", "attach", {
            role: "personalize-role",
            policyArn: "arn:aws:iam::123456789012:policy/personalize/PersonalizeWriter",
        });
        assert.deepEqual(await messages(stack), []);
    });

    it("counts a Deny in any of the role's policies", async () => {
        const stack = batchStackWithRole();
        stack.rolePolicy("personalize-role", grant(["s3:*"]), "allow-all");
        stack.rolePolicy(
            "personalize-role",
            { Statement: { Sid: "NoWrites", Effect: "Deny", Action: "s3:Put*", Resource: "*" } },
            "deny-writes",
        );
        const [message] = await messages(stack);
        assert.match(message, /s3:PutObject on every key under arn:aws:s3:::data-bucket\/out\/ is denied by statement "NoWrites"/);
    });

    it("names managed policies it can't read when access is missing", async () => {
        const stack = batchStackWithRole();
        stack.add("aws:iam/rolePolicyAttachment:RolePolicyAttachment", "attach", {
            role: "personalize-role",
            policyArn: "arn:aws:iam::aws:policy/AmazonS3FullAccess",
        });
        const [message] = await messages(stack);
        assert.match(
            message,
            /^Personalize service role "personalize-role" can't do what Personalize needs on bucket "data-bucket" \(not declared in this stack, so not read: arn:aws:iam::aws:policy\/AmazonS3FullAccess; assuming the role has no permissions boundary, as the stack sets none\): s3:ListBucket/,
        );
    });

    it("fails a VPC condition in the role's policy", async () => {
        const stack = batchStackWithRole();
        const doc: any = grant(["s3:*"]);
        doc.Statement[0].Condition = { StringEquals: { "aws:SourceVpce": "vpce-1" } };
        stack.rolePolicy("personalize-role", doc);
        const found = await messages(stack);
        assert.match(
            found[0],
            /^RolePolicy "personalize-role-access", statement "Statement\[0\]": its condition tests aws:SourceVpce \(StringEquals\); Amazon Personalize doesn't communicate with AWS VPCs/,
        );
        assert.match(found[1], /s3:ListBucket on arn:aws:s3:::data-bucket is not allowed by any statement/);
    });

    it("doesn't take the role's ARN from the role's own policy: a condition on a foreign account's role proves nothing", async () => {
        const stack = new StackBuilder();
        stack.bucket("data-bucket", { "personalize-workflow": "import" });
        const trustAlone = { Effect: "Allow", Principal: { Service: "personalize.amazonaws.com" }, Action: "sts:AssumeRole" };
        stack.role("personalize-role", JSON.stringify({ Version: "2012-10-17", Statement: [trustAlone] }), {
            "personalize-bucket": "data-bucket",
        });
        const onlyAsForeignRole = { ArnEquals: { "aws:PrincipalArn": "arn:aws:iam::999999999999:role/personalize-role" } };
        stack.rolePolicy("personalize-role", {
            Version: "2012-10-17",
            Statement: [{ ...grant(["s3:GetObject", "s3:ListBucket"]).Statement[0], Condition: onlyAsForeignRole }],
        });
        const unknown =
            "(the stack's account is unknown: only the document being judged names it (999999999999), and a document can't vouch for itself; " +
            'set "account" in the pack config)';
        assert.deepEqual(await messages(stack), [
            'Personalize service role "personalize-role" can\'t do what Personalize needs on bucket "data-bucket" ' +
                "(assuming the role has no permissions boundary, as the stack sets none): " +
                `s3:ListBucket on arn:aws:s3:::data-bucket is allowed only under a condition Personalize's requests can't be shown to meet (statement "Statement[0]") ${unknown}; ` +
                `s3:GetObject on every key under arn:aws:s3:::data-bucket/ is allowed only under a condition Personalize's requests can't be shown to meet (statement "Statement[0]") ${unknown}.`,
        ]);
    });

    it("fails a role tagged for a bucket that is not a Personalize bucket", async () => {
        const stack = new StackBuilder();
        stack.role("personalize-role", JSON.stringify(personalizeTrust()), { "personalize-bucket": "elsewhere" });
        assert.deepEqual(await messages(stack), [
            'Personalize service role "personalize-role" is tagged personalize-bucket=elsewhere, but no Personalize bucket of that name is in the stack ' +
                "(tagged personalize-workflow) or in the pack's buckets config; fix the tag or mark the bucket.",
        ]);
    });

    it("skips a role with a policy it can't read (one naming a principal): policy-document-validity reports that policy", async () => {
        const stack = batchStackWithRole();
        stack.rolePolicy("personalize-role", { Statement: [{ Effect: "Allow", Principal: "*", Action: "s3:*", Resource: "*" }] });
        assert.deepEqual(await messages(stack), []);
    });

    describe("permissions boundary", () => {
        const SUBJECT = 'Personalize service role "personalize-role" can\'t do what Personalize needs on bucket "data-bucket"';
        function boundedStack(boundaryArn: string): StackBuilder {
            const stack = batchStackWithRole();
            stack.resources.find(r => r.name === "personalize-role")!.inputs.permissionsBoundary = boundaryArn;
            stack.rolePolicy("personalize-role", grant(["s3:GetObject", "s3:ListBucket", "s3:PutObject"]));
            return stack;
        }

        it("intersects a boundary declared in the stack with the role's grants: one without s3:ListBucket fails", async () => {
            const stack = boundedStack("arn:aws:iam::123456789012:policy/personalize-boundary");
            stack.add("aws:iam/policy:Policy", "personalize-boundary", {
                name: "personalize-boundary",
                policy: JSON.stringify(grant(["s3:GetObject", "s3:PutObject"])),
            });
            assert.deepEqual(await messages(stack), [
                `${SUBJECT} (within its permissions boundary Policy "personalize-boundary"): ` +
                    'its permissions boundary Policy "personalize-boundary": s3:ListBucket on arn:aws:s3:::data-bucket is not allowed by any statement.',
            ]);
            stack.resources.find(r => r.name === "personalize-boundary")!.inputs.policy = JSON.stringify(grant(["s3:*"]));
            assert.deepEqual(await messages(stack), []);
        });

        it("states as an assumption a boundary outside the stack, and the absence of one", async () => {
            const outside = boundedStack("arn:aws:iam::123456789012:policy/org-boundary");
            assert.deepEqual(await messages(outside), [], "an unread boundary is assumed to allow the requests");
            outside.rolePolicy(
                "personalize-role",
                { Version: "2012-10-17", Statement: [{ Effect: "Deny", Action: "s3:ListBucket", Resource: "*" }] },
                "deny-list",
            );
            assert.deepEqual(await messages(outside), [
                `${SUBJECT} (assuming its permissions boundary arn:aws:iam::123456789012:policy/org-boundary, not declared in this stack, allows these requests): ` +
                    's3:ListBucket on arn:aws:s3:::data-bucket is denied by statement "Statement[0]".',
            ]);
        });
    });
});
