import * as assert from "node:assert/strict";
import { joinFailures, listed } from "../../policypack/personalize/failure-text";

describe("failures said once per reason (personalize/failure-text.ts)", () => {
    const denied = 'is denied by statement "VpcOnly"';
    const none = "is not allowed by any statement (request without aws:SourceIp)";

    it("one failure as it is", () => {
        assert.equal(joinFailures([{ action: "s3:ListBucket", target: "A", reason: denied }]), `s3:ListBucket on A ${denied}`);
    });

    it("groups by reason in the order reasons first come, and by action within a reason", () => {
        assert.equal(
            joinFailures([
                { action: "s3:ListBucket", target: "A", reason: denied },
                { action: "s3:GetObject", target: "B", reason: none },
                { action: "s3:GetObject", target: "C", reason: denied },
                { action: "s3:GetObject", target: "D", reason: denied },
                { action: "s3:PutObject", target: "E", reason: none },
            ]),
            's3:ListBucket on A and s3:GetObject on C and D are denied by statement "VpcOnly"; ' +
                "s3:GetObject on B and s3:PutObject on E are not allowed by any statement (request without aws:SourceIp)",
        );
    });

    it("keeps a reason that isn't said with 'is' as it is", () => {
        const may = 'may be denied by statement "X": its condition or resource can\'t be decided';
        assert.equal(
            joinFailures([
                { action: "s3:ListBucket", target: "A", reason: may },
                { action: "s3:GetObject", target: "B", reason: may },
            ]),
            `s3:ListBucket on A and s3:GetObject on B ${may}`,
        );
    });

    it("lists one, two and more items", () => {
        assert.deepEqual([listed([]), listed(["a"]), listed(["a", "b"]), listed(["a", "b", "c"])], ["", "a", "a and b", "a, b and c"]);
    });
});
