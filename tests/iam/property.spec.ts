import assert from "node:assert/strict";
import fc from "fast-check";
import { caseArbitrary, compareWithOracle } from "./differential";

describe("iam evaluator against the iam-simulate oracle", () => {
    it("agrees on 2,000 generated cases, except fail-safe ones where it is stricter", async () => {
        const cases = fc.sample(caseArbitrary, { numRuns: 2000, seed: 4242 });
        const tally = { agree: 0, deliberate: 0 };
        for (const c of cases) {
            const outcome = await compareWithOracle(c);
            assert.notEqual(outcome.type, "real", JSON.stringify({ outcome, ...c }));
            tally[outcome.type === "agree" ? "agree" : "deliberate"]++;
        }
        assert.equal(tally.agree + tally.deliberate, 2000);
        assert.ok(tally.deliberate > 0, "the generator should exercise the fail-safe cases");
        assert.ok(tally.agree > 1800, `only ${tally.agree} agreements`);
    });
});
