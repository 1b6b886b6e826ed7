import assert from "node:assert/strict";
import { mayReachPrefix, staysUnderPrefix } from "../../policypack/aws/resource-prefix";

const OUT = "arn:aws:s3:::b/batch/output/";

describe("resource patterns against a prefix (resource-prefix)", () => {
    it("stays under a prefix when the text before the first wildcard starts with it", () => {
        for (const inside of [`${OUT}*`, `${OUT}job-?/*`, `${OUT}x.json`, OUT]) assert.ok(staysUnderPrefix(inside, OUT), inside);
        for (const outside of [
            "arn:aws:s3:::b/batch/out*",
            "arn:aws:s3:::b/batch/output",
            "arn:aws:s3:::b/*/output/*",
            "arn:aws:s3:::b/batch/outpu?/x",
            "*",
        ]) {
            assert.ok(!staysUnderPrefix(outside, OUT), outside);
        }
    });

    it("may reach a prefix when it stays under it, or its literal text starts the prefix and a wildcard follows", () => {
        const S3 = "arn:aws:s3:::";
        for (const reaches of ["*", "arn:*", "arn:aws:s3:::*", "arn:aws:s3:::other/*", "arn:aws:s3:::b", "arn:aws:s?"])
            assert.ok(mayReachPrefix(reaches, S3), reaches);
        for (const not of [
            "arn:aws:kms:eu-west-1:123456789012:key/k",
            "arn:aws:s3",
            "arn:aws-cn:s3:::b/*",
            "arn:aws:s3:eu-west-1:123456789012:accesspoint/*",
        ]) {
            assert.ok(!mayReachPrefix(not, S3), not);
        }
    });
});
