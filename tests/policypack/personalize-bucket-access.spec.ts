import * as assert from "node:assert/strict";
import { personalizeBucketAccess } from "../../policypack/policies/personalize-bucket-access";
import { StackBuilder, guideBucketPolicy, validStack } from "./stack-builder";

const policy = [personalizeBucketAccess];
const messages = async (stack: StackBuilder, config = {}) => (await stack.run(policy, config)).violations.map(v => v.message);

function importBucket(bucket = "data-bucket"): StackBuilder {
    const stack = new StackBuilder();
    stack.bucket(bucket, { "personalize-workflow": "import" });
    return stack;
}

describe("personalize-bucket-access", () => {
    it("passes the component's shape and the AWS guide's policies", async () => {
        assert.deepEqual(await messages(validStack("data-bucket", "import")), []);
        assert.deepEqual(await messages(validStack("data-bucket", "batch")), []);
    });

    it("fails a Personalize bucket without a bucket policy, quoting the error Personalize would give", async () => {
        assert.deepEqual(await messages(importBucket()), [
            'Personalize bucket "data-bucket" (import) has no bucket policy, so Amazon Personalize can\'t read it ("Insufficient privileges for accessing data in Amazon S3"). ' +
                'Add an aws.s3.BucketPolicy for bucket "data-bucket" that allows personalize.amazonaws.com.',
        ]);
    });

    it("fails two policies for one bucket: each overwrites the other", async () => {
        const stack = importBucket();
        stack.bucketPolicy("data-bucket", guideBucketPolicy("data-bucket"), "first");
        stack.bucketPolicy("data-bucket", guideBucketPolicy("data-bucket"), "second");
        assert.deepEqual(await messages(stack), [
            'Personalize bucket "data-bucket" (import) has 2 bucket policies (BucketPolicy "first", BucketPolicy "second"); a bucket has one policy and each overwrites the other, so keep one.',
        ]);
    });

    it("reads a policy given inline on the bucket", async () => {
        const stack = new StackBuilder();
        stack.bucket(
            "data-bucket",
            { "personalize-workflow": "import" },
            { policy: JSON.stringify(guideBucketPolicy("data-bucket", ["s3:ListBucket"])) },
        );
        assert.deepEqual(await messages(stack), [
            'Personalize bucket "data-bucket" (import): Amazon Personalize (personalize.amazonaws.com) can\'t use it under Bucket "data-bucket" (policy): ' +
                "s3:GetObject on every key under arn:aws:s3:::data-bucket/ is not allowed by any statement.",
        ]);
    });

    it("checks GetObject on every object the stack uploads, so a grant on the wrong folder fails", async () => {
        const stack = importBucket();
        stack.object("data-bucket", "import/interactions.csv");
        stack.object("data-bucket", "legacy/items.csv");
        const policyDoc = guideBucketPolicy("data-bucket");
        policyDoc.Statement[0].Resource = ["arn:aws:s3:::data-bucket", "arn:aws:s3:::data-bucket/import/*"];
        stack.bucketPolicy("data-bucket", policyDoc);
        assert.deepEqual(await messages(stack), [
            'Personalize bucket "data-bucket" (import): Amazon Personalize (personalize.amazonaws.com) can\'t use it under BucketPolicy "data-bucket-policy": ' +
                "s3:GetObject on arn:aws:s3:::data-bucket/legacy/items.csv is not allowed by any statement.",
        ]);
    });

    it("checks PutObject in the folder of the batch-output tag, or anywhere in the bucket without the tag", async () => {
        const tagged = new StackBuilder();
        tagged.bucket("data-bucket", { "personalize-workflow": "batch", "personalize-batch-output": "jobs/out" });
        const onOtherFolder = guideBucketPolicy("data-bucket");
        onOtherFolder.Statement.push({
            ...onOtherFolder.Statement[0],
            Sid: "Put",
            Action: ["s3:PutObject"],
            Resource: ["arn:aws:s3:::data-bucket/batch/output/*"],
        });
        tagged.bucketPolicy("data-bucket", onOtherFolder);
        assert.deepEqual(await messages(tagged), [
            'Personalize bucket "data-bucket" (batch): Amazon Personalize (personalize.amazonaws.com) can\'t use it under BucketPolicy "data-bucket-policy": ' +
                "s3:PutObject on every key under arn:aws:s3:::data-bucket/jobs/out/ is not allowed by any statement.",
        ]);
        const untagged = new StackBuilder();
        untagged.bucket("data-bucket", { "personalize-workflow": "batch" });
        untagged.bucketPolicy("data-bucket", guideBucketPolicy("data-bucket", ["s3:GetObject", "s3:ListBucket", "s3:PutObject"]));
        assert.deepEqual(await messages(untagged), []);
    });

    it("fails a workflow tag it doesn't know, saying which values it takes", async () => {
        const stack = new StackBuilder();
        stack.bucket("data-bucket", { "personalize-workflow": "Batch" });
        assert.deepEqual(await messages(stack), ['Bucket "data-bucket" has tag personalize-workflow="Batch"; use "import" or "batch"']);
    });

    it("checks buckets named in the pack config, even untagged or declared elsewhere", async () => {
        const stack = new StackBuilder();
        stack.bucket("legacy-bucket");
        stack.bucketPolicy("external-bucket", guideBucketPolicy("external-bucket"));
        const config = { "personalize-bucket-access": { buckets: { "legacy-bucket": "import", "external-bucket": "batch" } } };
        const found = await messages(stack, config);
        assert.equal(found.length, 2);
        assert.match(found[0], /^Personalize bucket "legacy-bucket" \(import\) has no bucket policy/);
        assert.match(
            found[1],
            /^Personalize bucket "external-bucket" \(batch\).*s3:PutObject on every key under arn:aws:s3:::external-bucket\/ is not allowed/,
        );
    });

    it("builds ARNs in the configured partition", async () => {
        const config = { "personalize-bucket-access": { partition: "aws-cn" } };
        const found = await messages(validStack("data-bucket", "import"), config);
        assert.equal(found.length, 1);
        assert.match(found[0], /s3:ListBucket on arn:aws-cn:s3:::data-bucket is not allowed by any statement/);
    });

    it("leaves buckets that are not Personalize's alone", async () => {
        const stack = new StackBuilder();
        stack.bucket("logs", { team: "ops" });
        assert.deepEqual(await messages(stack), []);
    });
});
