/**
 * Differential check of policypack/iam against @cloud-copilot/iam-simulate (test-only oracle).
 * Usage: npm run iam:differential -- [--policies 40000] [--seed 20260101]
 * Each generated policy and request is judged in several request contexts (a case per context).
 */
import fc from "fast-check";
import { evaluate, parsePolicy } from "../policypack/iam";
import { caseGroupArbitrary, compareWithOracle, CONTEXTS_PER_REQUEST, type Case, type Outcome } from "../tests/iam/differential";
import { parseScriptArguments, positiveNumber, settingsOrExit } from "./script-arguments";

const USAGE = `usage: npm run iam:differential -- [--policies N] [--seed N]

Generates policies and requests, judges each with policypack/iam and with @cloud-copilot/iam-simulate,
and prints the agreements, the deliberate disagreements by category and the real ones (exit 1 if any).

  --policies N   generated policies (default 40000), each judged in several request contexts
  --seed N       fast-check seed (default 20260101)
  --help         this text`;

export function parseIamDifferentialArguments(argv: string[]) {
    return parseScriptArguments(argv, USAGE, { policies: { type: "string" }, seed: { type: "string" } }, values => ({
        policies: positiveNumber("policies", values.policies, 40_000, true),
        seed: positiveNumber("seed", values.seed, 20260101, true),
    }));
}

const EXAMPLES_SHOWN = 5;
const PERMISSIVENESS: Record<string, number> = { ExplicitDeny: 0, ImplicitDeny: 1, Allowed: 2 };

async function main(): Promise<void> {
    const { policies: total, seed } = settingsOrExit(parseIamDifferentialArguments(process.argv.slice(2)));
    const cases = fc.sample(caseGroupArbitrary, { numRuns: total, seed }).flat();

    let agreements = 0;
    const deliberate = new Map<string, number>();
    const real: Array<{ c: Case; outcome: Outcome }> = [];
    for (const c of cases) {
        const outcome = await compareWithOracle(c);
        if (outcome.type === "agree") agreements++;
        else if (outcome.type === "deliberate") {
            const documented = outcome.categories.some(c => c.startsWith("documented:"));
            const direction = !documented
                ? ""
                : PERMISSIVENESS[outcome.ours] < PERMISSIVENESS[outcome.oracle]
                  ? " [ours stricter]"
                  : " [ours more permissive]";
            const category = outcome.categories.join(" + ") + direction;
            deliberate.set(category, (deliberate.get(category) ?? 0) + 1);
        } else real.push({ c, outcome });
    }

    const started = process.hrtime.bigint();
    for (const c of cases) {
        const parsed = parsePolicy(c.policy, c.kind);
        if (parsed.ok) evaluate(parsed.statements, c.request, c.kind);
    }
    const perDocumentUs = Number(process.hrtime.bigint() - started) / 1000 / cases.length;

    console.log(`cases:                  ${cases.length}: ${total} policies x ${CONTEXTS_PER_REQUEST} contexts (seed ${seed})`);
    console.log(`agreements:             ${agreements}`);
    console.log(
        `deliberate disagreements: ${[...deliberate.values()].reduce((a, b) => a + b, 0)} ` +
            "(fail-safe ones: ours stricter; documented: IAM's documented rule where the oracle departs from it, either direction)",
    );
    for (const [category, count] of [...deliberate].sort((a, b) => b[1] - a[1]))
        console.log(`  ${count.toString().padStart(7)}  ${category}`);
    console.log(`real disagreements:     ${real.length}`);
    for (const { c, outcome } of real.slice(0, EXAMPLES_SHOWN)) console.log(JSON.stringify({ outcome, ...c }));
    console.log(`evaluation time:        ${perDocumentUs.toFixed(1)} µs per document (parse + evaluate)`);
    process.exitCode = real.length > 0 ? 1 : 0;
}

if (require.main === module) void main();
