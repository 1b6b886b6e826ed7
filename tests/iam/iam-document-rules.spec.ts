import assert from "node:assert/strict";
import fc from "fast-check";
import { lintPolicy } from "@cloud-copilot/iam-policy";
import { parsePolicy, type PolicyKind } from "../../policypack/iam";
import { duplicateSidProblems } from "../../policypack/iam/iam-document-rules";

const problems = (doc: unknown, kind: PolicyKind) => {
    const result = parsePolicy(doc, kind);
    return result.ok ? [] : result.problems;
};

const trust = (statement: object) => ({
    Version: "2012-10-17",
    Statement: [{ Effect: "Allow", Principal: { Service: "personalize.amazonaws.com" }, Action: "sts:AssumeRole", ...statement }],
});

describe("IAM's own document rules, by kind", () => {
    it("apply to identity and trust policies, not to other resource policies or without a kind", () => {
        const doc = { Version: "2012-10-17", Id: "Ā", Statement: [{ Sid: "A-1", Effect: "Allow", Action: "s3:GetObject", Resource: "*" }] };
        assert.deepEqual(problems(doc, "identity"), [
            'Policy Id has "Ā" (U+0100), outside the characters IAM accepts in a policy (tab, line feed, carriage return and U+0020 to U+00FF); replace or remove them',
            `Statement "A-1": Sid "A-1" has characters IAM doesn't accept in a Sid; use ASCII letters and digits only, e.g. "A1"`,
        ]);
        const resource = { ...doc, Statement: [{ ...doc.Statement[0], Principal: "*" }] };
        assert.ok(parsePolicy(resource, "resource").ok);
        assert.ok(parsePolicy(doc).ok);
        assert.equal(problems(resource, "trust").length, 2);
    });

    it("refuse NotPrincipal in a trust policy only, and ask a trust policy for Principal", () => {
        const { Principal: _principal, ...statement } = trust({}).Statement[0];
        const notPrincipal = {
            Version: "2012-10-17",
            Statement: [{ ...statement, Effect: "Deny", NotPrincipal: { AWS: "arn:aws:iam::123456789012:root" } }],
        };
        assert.deepEqual(problems(notPrincipal, "trust"), [
            "Statement[0]: NotPrincipal is not allowed in a role trust policy; name who may assume the role in Principal (to exclude principals, add a Deny with an aws:PrincipalArn condition)",
        ]);
        assert.ok(parsePolicy(notPrincipal, "resource").ok);
        assert.deepEqual(problems({ Version: "2012-10-17", Statement: [statement] }, "trust"), [
            'Statement[0]: needs Principal in a role trust policy; add e.g. "Principal": {"Service": "personalize.amazonaws.com"}',
        ]);
    });

    it("check the characters of the decoded text: an escape counts as its character, Latin-1 and control escapes pass", () => {
        assert.deepEqual(
            problems(
                '{"Version": "2012-10-17", "Statement": {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/\\u0100"}}',
                "identity",
            ),
            [
                'Statement[0]: Resource has "Ā" (U+0100), outside the characters IAM accepts in a policy (tab, line feed, carriage return and U+0020 to U+00FF); replace or remove them',
            ],
        );
        // Re-encoded before IAM sees it, a control character, U+2028 and U+2029 are escapes again, in ASCII.
        for (const value of ["\u00ff", "\u0001", "\u2028", "\u2029", "\t"]) {
            assert.ok(
                parsePolicy(trust({ Condition: { StringEquals: { "aws:SourceAccount": `1${value}` } } }), "trust").ok,
                JSON.stringify(value),
            );
        }
        assert.deepEqual(problems(trust({ Condition: { StringEquals: { "aws:Sourceé\u0101": "1" } } }), "trust"), [
            'Statement[0]: the name "aws:Sourceéā" in Condition.StringEquals has "ā" (U+0101), outside the characters IAM accepts in a policy (tab, line feed, carriage return and U+0020 to U+00FF); replace or remove them',
        ]);
    });

    it("find the statements that share a Sid as @cloud-copilot/iam-policy's lint does", () => {
        const grant = { Effect: "Allow", Action: "s3:GetObject", Resource: "*" };
        const sids = fc.array(fc.option(fc.constantFrom("", "A", "B", "a", "C1"), { nil: undefined }), { maxLength: 6 });
        fc.assert(
            fc.property(sids, list => {
                const doc = { Version: "2012-10-17", Statement: list.map(sid => (sid === undefined ? grant : { Sid: sid, ...grant })) };
                const ours = duplicateSidProblems(doc.Statement)
                    .flatMap(problem => [...problem.matchAll(/Statement\[(\d+)\]/g)].map(m => Number(m[1])))
                    .sort((a, b) => a - b);
                const theirs = lintPolicy(doc)
                    .filter(error => error.message === "Statement Ids (Sid) must be unique")
                    .map(error => Number(/^Statement\[(\d+)\]\.Sid$/.exec(error.path)![1]))
                    .sort((a, b) => a - b);
                assert.deepEqual(ours, theirs);
            }),
            { numRuns: 300, seed: 1616 },
        );
    });
});
