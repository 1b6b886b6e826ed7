import assert from "node:assert/strict";
import { parsePolicy } from "../../policypack/iam";

const problems = (doc: unknown, kind?: "resource" | "identity") => {
    const result = parsePolicy(doc, kind);
    assert.equal(result.ok, false);
    return result.ok ? [] : result.problems;
};
const statements = (doc: unknown) => {
    const result = parsePolicy(doc);
    assert.ok(result.ok, JSON.stringify(result));
    return result.statements;
};

describe("parsePolicy", () => {
    it("normalises the AWS guide bucket policy given as JSON text", () => {
        const [s] = statements(
            JSON.stringify({
                Version: "2012-10-17",
                Id: "PersonalizeS3BucketAccessPolicy",
                Statement: [
                    {
                        Sid: "PersonalizeS3BucketAccessPolicy",
                        Effect: "Allow",
                        Principal: { Service: "personalize.amazonaws.com" },
                        Action: ["s3:GetObject", "s3:ListBucket"],
                        Resource: ["arn:aws:s3:::bucket-name", "arn:aws:s3:::bucket-name/*"],
                    },
                ],
            }),
        );
        assert.deepEqual(s, {
            label: "PersonalizeS3BucketAccessPolicy",
            sid: "PersonalizeS3BucketAccessPolicy",
            effect: "Allow",
            principal: { Service: ["personalize.amazonaws.com"] },
            action: ["s3:GetObject", "s3:ListBucket"],
            resource: ["arn:aws:s3:::bucket-name", "arn:aws:s3:::bucket-name/*"],
            conditions: [],
            variables: true,
        });
    });

    it('accepts a single statement object, string elements, "*" and negated elements', () => {
        const [s] = statements({ Statement: { Effect: "Deny", NotPrincipal: "*", NotAction: "s3:Get*", NotResource: "arn:aws:s3:::b" } });
        assert.deepEqual(s, {
            label: "Statement[0]",
            effect: "Deny",
            notPrincipal: "*",
            notAction: ["s3:Get*"],
            notResource: ["arn:aws:s3:::b"],
            conditions: [],
            variables: false,
        });
    });

    it("normalises condition operators, keys and values", () => {
        const [s] = statements({
            Statement: [
                {
                    Effect: "Allow",
                    Action: "*",
                    Resource: "*",
                    Condition: {
                        "ForAnyValue:StringNotEqualsIfExists": { "AWS:SourceVpc": ["vpc-1", "vpc-2"] },
                        NumericLessThan: { "s3:max-keys": 10 },
                        Bool: { "aws:SecureTransport": true },
                    },
                },
            ],
        });
        assert.deepEqual(s.conditions, [
            {
                operator: "ForAnyValue:StringNotEqualsIfExists",
                baseOperator: "StringNotEquals",
                set: "ForAnyValue",
                ifExists: true,
                key: "AWS:SourceVpc",
                values: ["vpc-1", "vpc-2"],
            },
            { operator: "NumericLessThan", baseOperator: "NumericLessThan", ifExists: false, key: "s3:max-keys", values: ["10"] },
            { operator: "Bool", baseOperator: "Bool", ifExists: false, key: "aws:SecureTransport", values: ["true"] },
        ]);
    });

    it("parses a text once per kind: the same result for the same text, a verdict of its own for each kind", () => {
        const text = JSON.stringify({
            Version: "2012-10-17",
            Statement: [{ Effect: "Allow", Principal: { Service: "personalize.amazonaws.com" }, Action: "s3:GetObject", Resource: "*" }],
        });
        const asResource = parsePolicy(text, "resource");
        assert.equal(parsePolicy(text, "resource"), asResource, "read twice, parsed once");
        assert.ok(asResource.ok);
        // The same text as an identity policy is judged anew, by that kind's rules.
        assert.deepEqual(problems(text, "identity"), [
            "Statement[0]: Principal is not allowed in an identity policy (the principal is the identity the policy is attached to); remove it",
        ]);
        assert.equal(parsePolicy(text, "resource"), asResource, "and the first verdict still stands");
        // Only the last few hundred texts are kept: a long-running pack doesn't grow without bound.
        for (let i = 0; i < 1000; i++) parsePolicy(JSON.stringify({ Statement: [], Id: String(i) }));
        assert.notEqual(parsePolicy(text, "resource"), asResource);
    });

    it("never throws, and names each problem with its fix", () => {
        assert.deepEqual(problems(null), ['Policy must be a JSON object with a "Statement" element, got null']);
        assert.deepEqual(problems(42), ['Policy must be a JSON object with a "Statement" element, got number 42']);
        assert.deepEqual(problems([]), ['Policy must be a JSON object with a "Statement" element, got an array']);
        assert.deepEqual(problems("{not json"), [
            "Policy is not valid JSON: unexpected character (only double-quoted strings, numbers, true, false, null, objects and arrays are JSON) at line 1:2; fix the JSON text",
        ]);
        assert.deepEqual(problems({}), ['Policy has no "Statement" element; add one with at least one statement']);
        assert.deepEqual(problems({ Statement: [] }), ['Policy "Statement" is an empty array; add at least one statement']);
        assert.deepEqual(problems({ Statement: "x" }), ['Policy "Statement" must be an object or an array of objects, got "x"']);
        assert.deepEqual(problems({ Version: "2020-01-01", Statement: [7], Extra: 1 }), [
            'Policy has unknown element "Extra"; allowed elements are Version, Id, Statement',
            'Policy Version must be "2012-10-17" (or the legacy "2008-10-17"), got "2020-01-01"',
            "Statement[0] must be an object, got number 7",
        ]);
    });

    it("reports every statement defect with the statement label", () => {
        const base = { Action: "s3:GetObject", Resource: "*" };
        const one = (s: object, kind?: "resource" | "identity") => problems({ Statement: [s] }, kind);
        assert.deepEqual(one({ Sid: "AllowRead", Effect: "allow", ...base }), [
            'Statement "AllowRead": Effect must be "Allow" or "Deny", got "allow"',
        ]);
        assert.deepEqual(one({ ...base }), ['Statement[0]: Effect is missing; add "Effect": "Allow" or "Effect": "Deny"']);
        assert.deepEqual(one({ Effect: "Allow", Action: "a:b", NotAction: "a:c", Resource: "*" }), [
            "Statement[0]: has both Action and NotAction; keep only one of them",
        ]);
        assert.deepEqual(one({ Effect: "Allow", Resource: "*" }), ['Statement[0]: needs Action (or NotAction); add e.g. "Action": [...]']);
        assert.deepEqual(one({ Effect: "Allow", Action: ["s3:GetObject", 3], Resource: "*" }), [
            "Statement[0]: Action[1] must be a non-empty string, got number 3",
        ]);
        assert.deepEqual(one({ Effect: "Allow", Action: [], Resource: "*" }), [
            "Statement[0]: Action is an empty array; list at least one value",
        ]);
        assert.deepEqual(one({ Effect: "Allow", Action: "GetObject", Resource: "*" }), [
            'Statement[0]: Action[0] must be "*" or look like "service:Action" (wildcards * and ? allowed), got "GetObject"',
        ]);
        assert.deepEqual(one({ Effect: "Allow", Action: "a:b", Resource: "*", NotResource: "*" }), [
            "Statement[0]: has both Resource and NotResource; keep only one of them",
        ]);
        assert.deepEqual(one({ Effect: "Allow", Action: "a:b", Principal: "*", NotPrincipal: "*" }), [
            "Statement[0]: has both Principal and NotPrincipal; keep only one of them",
        ]);
        assert.deepEqual(one({ Effect: "Allow", ...base, Principal: "arn:aws:iam::1:root" }), [
            'Statement[0]: Principal must be "*" or an object such as {"Service": "personalize.amazonaws.com"}, got "arn:aws:iam::1:root"',
        ]);
        assert.deepEqual(one({ Effect: "Allow", ...base, Principal: { Services: "x" } }), [
            'Statement[0]: Principal has unknown principal type "Services"; use one of AWS, Service, Federated, CanonicalUser',
        ]);
        assert.deepEqual(one({ Effect: "Allow", ...base, Condition: [] }), [
            'Statement[0]: Condition must be an object like {"StringEquals": {"aws:SourceAccount": "123456789012"}}, got an array',
        ]);
        assert.deepEqual(one({ Effect: "Allow", ...base, Condition: { StringEquals: "x" } }), [
            'Statement[0]: Condition operator "StringEquals" must map to an object of condition keys, like {"StringEquals": {"aws:SourceAccount": "123456789012"}}; got "x"',
        ]);
        assert.deepEqual(one({ Effect: "Allow", ...base, Condition: { StringEquals: { k: { a: 1 } } } }), [
            'Statement[0]: Condition "StringEquals" key "k" must have a string, number or boolean value, or a non-empty array of them; got an object',
        ]);
        assert.deepEqual(one({ Effect: "Allow", ...base, Condition: { "Foo:Bar": { k: "v" } } }), [
            'Statement[0]: Condition operator "Foo:Bar" is malformed; write e.g. "StringEquals", "ForAnyValue:StringLike" or "StringNotEqualsIfExists"',
        ]);
        assert.deepEqual(one({ Effect: "Allow", ...base, Actions: "x" }), [
            'Statement[0]: unknown element "Actions"; allowed elements are Sid, Effect, Principal, NotPrincipal, Action, NotAction, Resource, NotResource, Condition (names are case-sensitive)',
        ]);
        assert.deepEqual(one({ Effect: "Allow", ...base, Principal: "*" }, "identity"), [
            "Statement[0]: Principal is not allowed in an identity policy (the principal is the identity the policy is attached to); remove it",
        ]);
        assert.deepEqual(one({ Effect: "Allow", Action: "a:b" }, "identity"), [
            'Statement[0]: needs Resource (or NotResource); add e.g. "Resource": [...]',
        ]);
        assert.deepEqual(one({ Effect: "Allow", ...base }, "resource"), [
            'Statement[0]: needs Principal (or NotPrincipal) in a resource policy; add e.g. "Principal": {"Service": "personalize.amazonaws.com"}',
        ]);
    });
});
