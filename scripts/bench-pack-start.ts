/**
 * Benchmark of the policy pack's start (not a test): how long every `pulumi preview` with the pack
 * waits for it, against the floor of Node loading `@pulumi/policy` and `@pulumi/pulumi`, in one run.
 * The pack is installed as `npm run gate` installs it (the files `npm pack` takes, its prepare
 * script compiling it), then, in alternating rounds:
 * - floor: `node -e 'require("@pulumi/policy"); require("@pulumi/pulumi")'` in the pack folder, to its exit;
 * - start: the pack as the CLI starts it (offline/analyzer.ts), to the port line it serves on;
 * and once, for comparison, the TypeScript sources as the pack ran before it was compiled
 * (run-policy-pack on index.ts: ts-node type-checks every module at start).
 * Prints the medians and start / floor, with MISSED beside the goal (≤ 2.5×) if the run misses it.
 * Timings of a shared machine are noisy: compare the ratio, which is measured in one run.
 *
 *   npm run bench:pack-start [-- --rounds 5] [--no-typescript]
 */
import { spawn } from "node:child_process";
import * as path from "node:path";
import { startPack, runPolicyPackCommand } from "../offline/analyzer";
import { installPackAlone } from "../offline/pack-install";
import { PROJECT_DIR, projectName } from "../offline/program";
import { parseScriptArguments, positiveNumber, settingsOrExit } from "./script-arguments";

const GOAL = 2.5;

const USAGE = `usage: npm run bench:pack-start -- [--rounds N] [--no-typescript]

Installs the policy pack as npm run gate does, then times its start as the Pulumi CLI starts it
against the floor (Node loading @pulumi/policy and @pulumi/pulumi), in alternating rounds, and
once the TypeScript sources as the pack ran them before it was compiled. Goal: start ≤ 2.5 × floor.

  --rounds N        rounds of floor and start (default 5); the medians are compared
  --no-typescript   skip the start of the TypeScript sources (5 to 15 s)
  --help            this text`;

export function parseBenchPackStartArguments(argv: string[]) {
    return parseScriptArguments(argv, USAGE, { rounds: { type: "string" }, "no-typescript": { type: "boolean" } }, values => ({
        rounds: positiveNumber("rounds", values.rounds, 5, true),
        typescript: !values["no-typescript"],
    }));
}

/** Milliseconds from spawning `node args` in `cwd` until `done` says so (exit, or a line of output). */
function timeNode(args: string[], cwd: string, untilPortLine: boolean): Promise<number> {
    return new Promise((resolve, reject) => {
        const started = process.hrtime.bigint();
        const child = spawn(process.execPath, args, { cwd, stdio: ["ignore", "pipe", "pipe"] });
        const elapsed = () => Number(process.hrtime.bigint() - started) / 1e6;
        let output = "";
        child.stdout.on("data", chunk => {
            output += chunk;
            if (untilPortLine && /^\d+\r?\n/.test(output)) {
                resolve(elapsed());
                child.kill();
            }
        });
        child.stderr.on("data", chunk => (output += chunk));
        child.once("exit", code => (untilPortLine ? reject(new Error(`exited (${code}) before serving:\n${output}`)) : resolve(elapsed())));
    });
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
const seconds = (ms: number) => `${(ms / 1000).toFixed(2)} s`;

async function main(): Promise<void> {
    const { rounds, typescript: withTypescript } = settingsOrExit(parseBenchPackStartArguments(process.argv.slice(2)));
    const copy = await installPackAlone(path.join(PROJECT_DIR, "policypack"), PROJECT_DIR);
    try {
        console.log(`pack installed in ${copy.dir} in ${seconds(copy.installMs)} (scripts: ${copy.scripts.join(", ")}; once per install)`);
        const floors: number[] = [];
        const starts: number[] = [];
        const identity = { organization: "organization", project: projectName(), stack: "", preview: true, config: {} };
        for (let round = 0; round < rounds; round++) {
            floors.push(await timeNode(["-e", 'require("@pulumi/policy"); require("@pulumi/pulumi")'], copy.dir, false));
            const server = await startPack(copy.dir, identity);
            starts.push(server.startMs);
            await server.stop();
        }
        const floor = median(floors);
        const start = median(starts);
        const ratio = start / floor;
        console.log(`floor (node loads @pulumi/policy and @pulumi/pulumi): median ${seconds(floor)} of ${rounds}`);
        console.log(`pack start (compiled, as the CLI starts it):         median ${seconds(start)} of ${rounds}`);
        console.log(`start / floor: ${ratio.toFixed(2)}× (goal ≤ ${GOAL}×)${ratio <= GOAL ? "" : "  MISSED"}`);
        if (withTypescript) {
            // The sources as the entry point: run-policy-pack registers ts-node, which type-checks them.
            const [runPolicyPack, engine] = runPolicyPackCommand(copy.dir, "127.0.0.1:0").args;
            const typescript = await timeNode([runPolicyPack, engine, path.join(copy.dir, "index.ts")], copy.dir, true);
            console.log(`the TypeScript sources (before compiling): ${seconds(typescript)}, ${(typescript / floor).toFixed(2)}× the floor`);
        }
    } finally {
        copy.remove();
    }
}

if (require.main === module) {
    main().catch(err => {
        console.error(err);
        process.exitCode = 1;
    });
}
