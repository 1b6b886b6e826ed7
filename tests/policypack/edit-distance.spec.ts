import assert from "node:assert/strict";
import fc from "fast-check";
import { editDistance } from "../../policypack/aws/edit-distance";

/** The definition, recursively: cheapest of deleting, inserting, substituting the first character, or swapping the first two. */
function byDefinition(a: string, b: string): number {
    if (a === "") return b.length;
    if (b === "") return a.length;
    const swapped = a.length > 1 && b.length > 1 && a[0] === b[1] && a[1] === b[0] ? byDefinition(a.slice(2), b.slice(2)) + 1 : Infinity;
    return Math.min(
        byDefinition(a.slice(1), b) + 1,
        byDefinition(a, b.slice(1)) + 1,
        byDefinition(a.slice(1), b.slice(1)) + (a[0] === b[0] ? 0 : 1),
        swapped,
    );
}

describe("editDistance (optimal string alignment)", () => {
    it("counts insertions, deletions, substitutions and adjacent swaps", () => {
        assert.equal(editDistance("", ""), 0);
        assert.equal(editDistance("", "abc"), 3);
        assert.equal(editDistance("kitten", "sitting"), 3);
        assert.equal(editDistance("aws:sourcevcp", "aws:sourcevpc"), 1);
        assert.equal(editDistance("aws:sourcevcp", "aws:sourceip"), 2);
        assert.equal(editDistance("getobjcet", "getobject"), 1);
        assert.equal(editDistance("ca", "abc"), 3);
        assert.equal(editDistance("listobjects", "listbucket"), 6);
    });

    it("equals the recursive definition on short strings", () => {
        fc.assert(
            fc.property(
                fc.string({ maxLength: 6, unit: fc.constantFrom("a", "b", "c") }),
                fc.string({ maxLength: 6, unit: fc.constantFrom("a", "b", "c") }),
                (a, b) => {
                    assert.equal(editDistance(a, b), byDefinition(a, b));
                },
            ),
            { seed: 20261128, numRuns: 500 },
        );
    });
});
