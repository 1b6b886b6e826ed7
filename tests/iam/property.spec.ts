import assert from "node:assert/strict";
import fc from "fast-check";
import { CONTEXTS_PER_REQUEST, caseGroupArbitrary, compareWithOracle } from "./differential";

describe("iam evaluator against the iam-simulate oracle", () => {
    it("agrees on 400 generated policies, each in several request contexts, except fail-safe or documented ones", async () => {
        const cases = fc.sample(caseGroupArbitrary, { numRuns: 400, seed: 4242 }).flat();
        const tally = { agree: 0, deliberate: 0 };
        for (const c of cases) {
            const outcome = await compareWithOracle(c);
            assert.notEqual(outcome.type, "real", JSON.stringify({ outcome, ...c }));
            tally[outcome.type === "agree" ? "agree" : "deliberate"]++;
        }
        assert.equal(tally.agree + tally.deliberate, 400 * CONTEXTS_PER_REQUEST);
        assert.ok(tally.deliberate > 0, "the generator should exercise the fail-safe cases");
        assert.ok(tally.agree > 0.85 * cases.length, `only ${tally.agree} agreements of ${cases.length}`);
    });
});
