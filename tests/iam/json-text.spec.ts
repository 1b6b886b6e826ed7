import assert from "node:assert/strict";
import fc from "fast-check";
import { readJsonText } from "../../policypack/iam/json-text";

const SEED = 20261128;

const problems = (text: string) => {
    const result = readJsonText(text);
    assert.equal(result.ok, false, `expected problems for ${JSON.stringify(text)}`);
    return result.ok ? [] : result.problems;
};

describe("readJsonText: strict JSON without duplicate keys", () => {
    it("names a repeated Statement key and where both are, as line:column", () => {
        const text = [
            "{",
            '  "Version": "2012-10-17",',
            '  "Statement": [{"Effect": "Deny", "Principal": "*", "Action": "s3:*", "Resource": "*"}],',
            '  "Statement": [{"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": "*"}]',
            "}",
        ].join("\n");
        assert.deepEqual(problems(text), [
            'Policy text has the key "Statement" twice in the document (line 3:3 and line 4:3); ' +
                "JSON parsers keep only the last one, so the first would be silently dropped: merge them into one key",
        ]);
    });

    it("names the object a nested duplicate is in", () => {
        const text =
            '{"Statement": [{"Effect": "Allow", "Condition": {"StringEquals": {"aws:SourceAccount": "1", "aws:SourceAccount": "2"}}}]}';
        assert.deepEqual(problems(text), [
            'Policy text has the key "aws:SourceAccount" twice in Statement[0].Condition.StringEquals (line 1:67 and line 1:93); ' +
                "JSON parsers keep only the last one, so the first would be silently dropped: merge them into one key",
        ]);
    });

    it("keys differing in case are different keys, as in JSON", () => {
        const result = readJsonText('{"Statement": [], "statement": []}');
        assert.deepEqual(result, { ok: true, value: { Statement: [], statement: [] } });
    });

    it("refuses comments, trailing commas, trailing text and empty text, with the first error's position", () => {
        assert.deepEqual(problems('{\n  "Version": "2012-10-17" // the current version\n}'), [
            "Policy is not valid JSON: comments are not allowed in a policy at line 2:27; fix the JSON text",
        ]);
        assert.deepEqual(problems('{"Statement": [1, 2,]}'), [
            "Policy is not valid JSON: expected a value (a trailing comma is not allowed) at line 1:21; fix the JSON text",
        ]);
        assert.deepEqual(problems('{"a": 1,\n}'), [
            "Policy is not valid JSON: expected a double-quoted property name (a trailing comma is not allowed) at line 2:1; fix the JSON text",
        ]);
        assert.deepEqual(problems('{"a": 1} {"b": 2}'), [
            "Policy is not valid JSON: unexpected text after the end of the document at line 1:10; fix the JSON text",
        ]);
        assert.deepEqual(problems(" \n"), ['Policy text is empty; give a JSON object with a "Statement" element']);
    });

    it("reads what JSON.parse reads, to the same value, on generated documents", () => {
        fc.assert(
            fc.property(fc.jsonValue(), fc.constantFrom(undefined, 2, "\t"), (value, indent) => {
                const text = JSON.stringify(value, null, indent);
                const result = readJsonText(text);
                assert.ok(result.ok, JSON.stringify(result));
                assert.equal(JSON.stringify(result.value), JSON.stringify(JSON.parse(text)));
            }),
            { seed: SEED, numRuns: 1000 },
        );
    });

    it("finds every repeated key, whatever the keys and values around it hold", () => {
        const key = fc.constantFrom("Statement", "a", 'b":', '\\"', "\\", ":", "");
        const entries = fc.array(fc.tuple(key, fc.jsonValue({ maxDepth: 2 })), { maxLength: 5 });
        fc.assert(
            fc.property(fc.jsonValue({ maxDepth: 2 }), entries, (before, pairs) => {
                const object = `{${pairs.map(([k, v]) => `${JSON.stringify(k)}: ${JSON.stringify(v)}`).join(", ")}}`;
                const text = `[${JSON.stringify(before)}, ${object}]`;
                const repeated = new Set(pairs.map(([k]) => k)).size < pairs.length;
                const result = readJsonText(text);
                assert.equal(result.ok, !repeated, text);
                if (!result.ok)
                    assert.match(result.problems[0], /^Policy text has the key .+ twice in \[1\] \(line 1:\d+ and line 1:\d+\)/, text);
            }),
            { seed: SEED, numRuns: 2000 },
        );
    });

    it("refuses exactly what JSON.parse refuses, plus duplicate keys, on damaged documents", () => {
        const damaged = fc
            .tuple(
                fc.jsonValue({ maxDepth: 3 }),
                fc.nat(),
                fc.nat(),
                fc.constantFrom("", ",", "}", "]", '"', ":", "/", " ", "\u0001", "0", "-", "{", '"a":1,'),
            )
            .map(([value, at, cut, insert]) => {
                const text = JSON.stringify(value) ?? "null";
                const start = at % (text.length + 1);
                return text.slice(0, start) + insert + text.slice(start + (cut % 3));
            });
        fc.assert(
            fc.property(damaged, text => {
                let parsed: unknown;
                let parseFailed = false;
                try {
                    parsed = JSON.parse(text);
                } catch {
                    parseFailed = true;
                }
                const result = readJsonText(text);
                if (parseFailed) {
                    assert.equal(result.ok, false, text);
                    const expected =
                        text.trim() === "" ? /^Policy text is empty;/ : /^Policy is not valid JSON: .+ at line \d+:\d+; fix the JSON text$/;
                    assert.match(result.ok ? "" : result.problems[0], expected);
                } else if (result.ok) {
                    assert.equal(JSON.stringify(result.value), JSON.stringify(parsed));
                } else {
                    for (const problem of result.problems) assert.match(problem, /^Policy text has the key .+ twice in /, text);
                }
            }),
            { seed: SEED, numRuns: 3000 },
        );
    });
});
