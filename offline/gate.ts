/**
 * The offline policy gate: runs the program for every committed stack under mocks, in preview and
 * update mode, runs the policy pack over what it declares, and prints the violations the way
 * `pulumi preview --policy-pack` does. Exits 1 on a mandatory violation or a program error.
 * Needs no cloud credentials, so it can gate pull requests from forks.
 *
 *   npm run gate [-- --stack dev] [--set key=value ...]
 *
 * `--set` overrides a config key of the project (value as JSON, else as a string) for every stack
 * run, to try a change before committing it to a stack file.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { policies } from "../policypack/policies";
import { PROJECT_DIR, committedStacks, runProgram, type ProgramRun } from "./program";
import { runStackPolicies, type PackConfigFile, type PolicyReport } from "./policy-engine";

const PACK_DIR = path.join(PROJECT_DIR, "policypack");

export interface GateRun {
    stack: string;
    preview: boolean;
    program: ProgramRun;
    report?: PolicyReport;
}

/** The pack's config for a stack: `policypack/config/<stack>.json`, as given to `--policy-pack-config`. */
export function packConfigFor(stack: string): PackConfigFile {
    const file = path.join(PACK_DIR, "config", `${stack}.json`);
    return fs.existsSync(file) ? JSON.parse(fs.readFileSync(file, "utf8")) : {};
}

export async function gate(stacks: string[], config: Record<string, unknown> = {}): Promise<GateRun[]> {
    const jobs = stacks.flatMap(stack => [true, false].map(preview => ({ stack, preview })));
    return Promise.all(
        jobs.map(async ({ stack, preview }) => {
            const program = await runProgram({ stack, preview, config });
            if (program.error) return { stack, preview, program };
            return { stack, preview, program, report: await runStackPolicies(policies, program.resources, packConfigFor(stack)) };
        }),
    );
}

export function failed(run: GateRun): boolean {
    return run.program.error !== undefined || (run.report?.violations ?? []).some(v => v.enforcementLevel === "mandatory");
}

/** The report of one run, laid out like the Policies section of `pulumi preview`. */
export function format(run: GateRun): string {
    const title = `stack ${run.stack} (${run.preview ? "preview" : "update"})`;
    if (run.program.error) return `${title}\n    error: the program failed: ${run.program.error}\n`;
    const violations = run.report!.violations;
    const version = JSON.parse(fs.readFileSync(path.join(PACK_DIR, "package.json"), "utf8")).version;
    const lines = [`${title}`, `Policies:`, `    ${failed(run) ? "❌" : "✅"} personalize-bucket-policies@v${version} (local: policypack)`];
    const names = new Map(run.program.resources.map(r => [r.urn, `${r.type}: ${r.name}`]));
    for (const v of violations) {
        lines.push(`        - [${v.enforcementLevel}]  ${v.policy}  (${v.urn ? (names.get(v.urn) ?? v.urn) : "stack"})`);
        lines.push(`          ${v.message}`);
    }
    return `${lines.join("\n")}\n`;
}

function parseArgs(argv: string[]): { stacks: string[]; config: Record<string, unknown> } {
    const stacks: string[] = [];
    const config: Record<string, unknown> = {};
    for (let i = 0; i < argv.length; i++) {
        const [flag, value] = [argv[i], argv[i + 1]];
        if (flag === "--stack" && value) stacks.push(value);
        else if (flag === "--set" && value?.includes("=")) {
            const [key, ...rest] = value.split("=");
            const raw = rest.join("=");
            try {
                config[key] = JSON.parse(raw);
            } catch {
                config[key] = raw;
            }
        } else {
            throw new Error(`unknown argument ${JSON.stringify(flag)}; usage: npm run gate [-- --stack NAME] [--set key=value ...]`);
        }
        i++;
    }
    return { stacks: stacks.length > 0 ? stacks : committedStacks(), config };
}

if (require.main === module) {
    (async () => {
        const { stacks, config } = parseArgs(process.argv.slice(2));
        const runs = await gate(stacks, config);
        for (const run of runs) console.log(format(run));
        const failures = runs.filter(failed);
        console.log(
            failures.length === 0
                ? `policy gate passed: ${runs.length} runs (${stacks.join(", ")}; preview and update), no mandatory violation`
                : `policy gate FAILED: ${failures.map(r => `${r.stack} (${r.preview ? "preview" : "update"})`).join(", ")}`,
        );
        process.exitCode = failures.length === 0 ? 0 : 1;
    })().catch(err => {
        console.error(err instanceof Error ? err.message : err);
        process.exitCode = 2;
    });
}
