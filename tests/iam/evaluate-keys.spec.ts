import assert from "node:assert/strict";
import { evaluateKeys, parsePolicy, type KeySetRequest, type Statement } from "../../policypack/iam";

const DATA = "arn:aws:s3:::bucket/import/";

function allowReading(...resources: string[]): Statement[] {
    const parsed = parsePolicy({
        Version: "2012-10-17",
        Statement: [{ Effect: "Allow", Principal: { Service: "personalize.amazonaws.com" }, Action: "s3:GetObject", Resource: resources }],
    });
    assert.ok(parsed.ok);
    return parsed.statements;
}

const everyKey: KeySetRequest = {
    principal: { type: "Service", id: "personalize.amazonaws.com" },
    action: "s3:GetObject",
    keys: { kind: "under", base: DATA },
    context: {},
};

describe("evaluateKeys: a request on every key under a prefix", () => {
    it("is not allowed when the walk over the patterns stops at its state limit, even if they would cover every key", () => {
        // `?*` covers every key under the folder; `*a` followed by 15 `?` makes the walk tell apart
        // every pattern of "a" among a key's last 16 characters (65,536 states), past its limit.
        const covering = `${DATA}?*`;
        assert.equal(evaluateKeys(allowReading(covering), everyKey, "resource").decision, "Allowed");
        const verdict = evaluateKeys(allowReading(covering, `${DATA}*a${"?".repeat(15)}`), everyKey, "resource");
        assert.deepEqual([verdict.decision, verdict.missed], ["ImplicitDeny", undefined]);
    });
});
