/**
 * The offline policy gate: runs the program for every committed stack under mocks, in preview and
 * update mode, and has the policy pack judge what it declares: the pack installed on its own (as
 * the Pulumi CLI installs a published pack), started once as the CLI starts it, and asked over
 * gRPC (ConfigureStack, Configure with the stack's reconciled pack config, AnalyzeStack). Prints
 * what each stack would build and the violations the way `pulumi preview` does. Needs no cloud
 * credentials, so it can gate pull requests from forks.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { unknownKeyProblem } from "../components/config-keys";
import { KEYS } from "../components/stack-config";
import { startPack, type AnalyzerInfo, type Diagnostic, type PackServer, type StackIdentity } from "./analyzer";
import { PackInstallError, installPackAlone, type PackCopy } from "./pack-install";
import { PackConfigError, readPackConfigFile, reconcilePackConfig } from "./pack-config";
import {
    PROJECT_DIR,
    StackFileError,
    committedStacks,
    flattenConfig,
    mockAccount,
    projectName,
    runProgram,
    stackConfig,
    type ProgramRun,
} from "./program";
import type { RecordedResource } from "./recorder";

export const USAGE = `usage: npm run gate [-- --stack NAME ...] [--set KEY=VALUE ...]

Runs the program for each stack (every Pulumi.<stack>.yaml by default) under mocks, in preview and
update mode, and the policy pack over what it declares, as \`pulumi preview --policy-pack policypack
--policy-pack-config policypack/config/<stack>.json\` would. No cloud credentials needed.

  --stack NAME      a stack to check (repeatable)
  --set KEY=VALUE   override a config key of the project for every stack (VALUE as JSON, else as text),
                    e.g. --set batch=true --set 'tags={"team":"recs"}'
  --help            this text

Exit status: 0 no mandatory violation, 1 a mandatory violation or a program error, 2 bad arguments,
a stack file or pack config file that can't be read, or a pack that does not install or start.`;

const PACK_DIR = path.join(PROJECT_DIR, "policypack");
/** The organisation the gate reports to the pack; the pack does not read it. */
const ORGANIZATION = "organization";

/** A problem the user must fix before the gate can run (exit 2). */
export class GateError extends Error {}

export interface GateRun {
    stack: string;
    preview: boolean;
    program: ProgramRun;
    /** The diagnostics of AnalyzeStack; absent when the program failed. */
    diagnostics?: Diagnostic[];
}

export function packConfigLabel(stack: string): string {
    return `policypack/config/${stack}.json`;
}

/**
 * The pack, installed alone and serving; one per gate run (its install compiles the pack, which is
 * most of the time a run takes).
 */
export class Gate {
    private constructor(
        readonly copy: PackCopy,
        readonly server: PackServer,
        readonly info: AnalyzerInfo,
    ) {}

    static async open(packDir = PACK_DIR): Promise<Gate> {
        let copy: PackCopy;
        try {
            copy = await installPackAlone(packDir, PROJECT_DIR);
        } catch (err) {
            if (err instanceof PackInstallError) throw new GateError(`the policy pack does not install: ${err.message}`);
            throw err;
        }
        try {
            const server = await startPack(copy.dir, {
                organization: ORGANIZATION,
                project: projectName(),
                stack: "",
                preview: true,
                config: {},
            });
            return new Gate(copy, server, await server.getAnalyzerInfo());
        } catch (err) {
            copy.remove();
            throw new GateError(`the policy pack does not start: ${(err as Error).message}`);
        }
    }

    /** The pack's verdict on a program run, configured as the CLI would configure it for the stack. */
    async analyze(stack: string, preview: boolean, resources: RecordedResource[], config: Record<string, string>): Promise<Diagnostic[]> {
        const label = packConfigLabel(stack);
        const packConfig = reconcilePackConfig(this.info, readPackConfigFile(path.join(PACK_DIR, "config", `${stack}.json`), label), label);
        const identity: StackIdentity = { organization: ORGANIZATION, project: projectName(), stack, preview, config };
        await this.server.configureStack(identity);
        await this.server.configure(packConfig);
        return this.server.analyzeStack(resources);
    }

    /** Runs the program for a stack and mode, with `overrides` (keys of the project unless they hold ":"), and judges it. */
    async run(stack: string, preview: boolean, overrides: Record<string, unknown> = {}): Promise<GateRun> {
        const program = await runProgram({ stack, preview, config: overrides });
        if (program.error !== undefined) return { stack, preview, program };
        const config = { ...stackConfig(stack), ...flattenConfig(qualified(overrides)) };
        return { stack, preview, program, diagnostics: await this.analyze(stack, preview, program.resources, config) };
    }

    async close(): Promise<void> {
        await this.server.stop();
        this.copy.remove();
    }
}

function qualified(config: Record<string, unknown>): Record<string, unknown> {
    const project = projectName();
    return Object.fromEntries(Object.entries(config).map(([k, v]) => [k.includes(":") ? k : `${project}:${k}`, v]));
}

export function failed(run: GateRun): boolean {
    return run.program.error !== undefined || (run.diagnostics ?? []).some(d => d.enforcementLevel === "mandatory");
}

/**
 * The program names the stack file in its config errors, as under the real CLI every value comes
 * from there. Here a value may also come from `--set` or be the program's default: say which.
 */
export function attributeError(message: string, stack: string, overrides: Record<string, unknown>): string {
    const prefix = `Pulumi.${stack}.yaml: config `;
    if (!message.startsWith(prefix)) return message;
    const rest = message.slice(prefix.length);
    const fullKey = rest.slice(0, rest.indexOf(": "));
    const problem = rest.slice(fullKey.length + 2);
    const set = Object.keys(qualified(overrides)).includes(fullKey);
    if (set) return `--set ${fullKey.slice(fullKey.indexOf(":") + 1)}: ${problem}`;
    if (fullKey in stackConfig(stack)) return message;
    return `config ${fullKey} (not set: the program's default): ${problem}`;
}

const LEVEL_ORDER = ["mandatory", "advisory", "remediate", "disabled"];

/** The Policies section of `pulumi preview` for one run. */
export function formatPolicies(run: GateRun, info: AnalyzerInfo): string {
    const names = new Map(run.program.resources.map(r => [r.urn, `${r.type}: ${r.name}`]));
    const diagnostics = [...(run.diagnostics ?? [])].sort(
        (a, b) =>
            LEVEL_ORDER.indexOf(a.enforcementLevel) - LEVEL_ORDER.indexOf(b.enforcementLevel) || a.policyName.localeCompare(b.policyName),
    );
    const lines = ["Policies:", `    ${failed(run) ? "❌" : "✅"} ${info.name}@v${info.version} (local: policypack)`];
    for (const d of diagnostics) {
        // A violation that names no resource is the stack's.
        const stackResource = run.program.resources.find(r => r.type === "pulumi:pulumi:Stack");
        const where = d.urn ? (names.get(d.urn) ?? d.urn) : stackResource ? `${stackResource.type}: ${stackResource.name}` : "stack";
        lines.push(`        - [${d.enforcementLevel}]  ${d.policyName}  (${where})`);
        lines.push(...d.message.split("\n").map(line => `          ${line}`));
    }
    return lines.join("\n");
}

/** What a stack would build: each resource's type and name, then the outputs (as the update knows them). */
export function formatSummary(run: GateRun): string {
    const resources = run.program.resources;
    const width = Math.max(...resources.map(r => r.type.length));
    const lines = [`Resources: ${resources.length}`, ...resources.map(r => `    ${r.type.padEnd(width)}  ${r.name}`), "Outputs:"];
    for (const [key, value] of Object.entries(run.program.outputs)) lines.push(`    ${key}: ${JSON.stringify(value)}`);
    return lines.join("\n");
}

/**
 * The report of a stack's two runs: an error or warning the two share is printed once, and so is
 * the Policies section when both say the same. `notes` come first (what the run assumed).
 */
export function formatStack(
    stack: string,
    runs: GateRun[],
    info: AnalyzerInfo,
    overrides: Record<string, unknown>,
    notes: string[] = [],
): string {
    const out = [`stack ${stack}`, ...notes.map(note => `    ${note}`)];
    const warnings = [...new Set(runs.flatMap(r => r.program.warnings))];
    for (const warning of warnings) out.push(`    warning: ${warning}`);
    const errors = [...new Set(runs.map(r => r.program.error).filter((e): e is string => e !== undefined))];
    for (const error of errors) {
        const modes = runs.filter(r => r.program.error === error).map(r => (r.preview ? "preview" : "update"));
        out.push(`    error (${modes.join(" and ")}): ${attributeError(error, stack, overrides).replaceAll("\n", "\n    ")}`);
    }
    const update = runs.find(r => !r.preview && r.program.error === undefined);
    if (update)
        out.push(
            ...formatSummary(update)
                .split("\n")
                .map(line => `    ${line}`),
        );
    const sections = runs
        .filter(r => r.program.error === undefined)
        .map(run => ({ mode: run.preview ? "preview" : "update", text: formatPolicies(run, info) }));
    const alike = sections.length === 2 && sections[0].text === sections[1].text;
    for (const { mode, text } of alike ? [{ mode: "preview and update, alike", text: sections[0].text }] : sections) {
        out.push(`  ${mode}:`);
        out.push(...text.split("\n").map(line => `    ${line}`));
    }
    return `${out.join("\n")}\n`;
}

/** What a stack's report says before its runs: the mocks' account, and a pack config file that is missing. */
export function stackNotes(stack: string, overrides: Record<string, unknown>, packConfigDir = path.join(PACK_DIR, "config")): string[] {
    const { accountId, region, partition } = mockAccount({ ...stackConfig(stack), ...flattenConfig(qualified(overrides)) });
    return [
        `account ${accountId}, region ${region} (from aws:region), partition ${partition}: the offline mocks' values; pulumi preview uses your AWS credentials' account`,
        ...(fs.existsSync(path.join(packConfigDir, `${stack}.json`))
            ? []
            : [`no ${packConfigLabel(stack)}: the policies run at their own enforcement levels and default settings`]),
    ];
}

export interface GateArguments {
    stacks: string[];
    overrides: Record<string, unknown>;
    help: boolean;
}

/** Flags of the gate that npm keeps for itself before `--`: it sets npm_config_<flag>=true and passes on only their values. */
const NPM_KEPT_FLAGS = ["stack", "set"];

/** A value as a POSIX shell reads it back: quoted unless it is plain. */
function shellWord(value: string): string {
    return /^[\w@%+=:,./-]+$/.test(value) ? value : `'${value.replaceAll("'", "'\\''")}'`;
}

/**
 * The gate's arguments, all checked before anything starts: the stacks exist, every `--set` key is
 * a setting (of this program, or of the aws provider for `aws:` keys). `env` tells whether npm kept
 * the flags for itself (`npm run gate --stack prod`, without `--`).
 */
export function parseArguments(argv: string[], env: NodeJS.ProcessEnv = process.env): GateArguments {
    const stacks = committedStacks();
    const kept = NPM_KEPT_FLAGS.filter(flag => env[`npm_config_${flag}`] !== undefined);
    if (kept.length > 0) {
        // What was meant: `--stack=prod` left its value with npm; of the values passed on, one with "=" was a --set.
        const withValue = kept
            .filter(flag => env[`npm_config_${flag}`] !== "true")
            .map(flag => `--${flag} ${shellWord(env[`npm_config_${flag}`]!)}`);
        const passed = argv.filter(a => !a.startsWith("-")).map(v => (v.includes("=") ? `--set ${shellWord(v)}` : `--stack ${v}`));
        const meant = [...withValue, ...passed].join(" ") || "--stack NAME";
        throw new GateError(
            `npm took ${kept.map(f => `--${f}`).join(" and ")} for itself: npm run passes a script only what comes after "--"; run npm run gate -- ${meant}`,
        );
    }
    const parsed: GateArguments = { stacks: [], overrides: {}, help: false };
    for (let i = 0; i < argv.length; i++) {
        const flag = argv[i];
        if (flag === "--help" || flag === "-h") {
            parsed.help = true;
            continue;
        }
        const value = argv[i + 1];
        const missing = value === undefined || value.startsWith("-");
        if (flag === "--stack") {
            if (missing) throw new GateError(`--stack needs a stack name after it, one of ${stacks.join(", ")}: --stack NAME`);
            parsed.stacks.push(value);
        } else if (flag === "--set") {
            if (missing) throw new GateError("--set needs KEY=VALUE after it, e.g. --set batch=true");
            const at = value.indexOf("=");
            if (at <= 0) throw new GateError(`--set takes KEY=VALUE, got ${JSON.stringify(value)}\n${USAGE}`);
            const raw = value.slice(at + 1);
            try {
                parsed.overrides[value.slice(0, at)] = JSON.parse(raw);
            } catch {
                parsed.overrides[value.slice(0, at)] = raw;
            }
        } else throw new GateError(`unknown argument ${JSON.stringify(flag)}\n${USAGE}`);
        i++;
    }
    for (const stack of parsed.stacks) {
        if (!stacks.includes(stack))
            throw new GateError(`no stack ${stack} (no Pulumi.${stack}.yaml); the stacks are ${stacks.join(", ")}`);
    }
    const project = projectName();
    const unknown = Object.keys(parsed.overrides).flatMap(key => {
        const problem = unknownKeyProblem(key.includes(":") ? key : `${project}:${key}`, project, Object.keys(KEYS));
        return problem ? [`--set ${key}: ${problem}`] : [];
    });
    if (unknown.length > 0) throw new GateError(unknown.join("\n"));
    if (parsed.stacks.length === 0) parsed.stacks = stacks;
    return parsed;
}

/** Reads every stack's files up front, so a broken one stops the gate before anything runs. */
function checkFiles(stacks: string[], info: AnalyzerInfo): void {
    for (const stack of stacks) {
        stackConfig(stack);
        const label = packConfigLabel(stack);
        reconcilePackConfig(info, readPackConfigFile(path.join(PACK_DIR, "config", `${stack}.json`), label), label);
    }
}

/** The command; `shared` is a gate already open (the tests'), else one is opened and closed. */
export async function main(argv: string[], shared?: Gate): Promise<number> {
    const args = parseArguments(argv);
    if (args.help) {
        console.log(USAGE);
        return 0;
    }
    // Stack files first: they need no pack.
    for (const stack of args.stacks) stackConfig(stack);
    const started = Date.now();
    // The programs run while the pack starts (runs are shared: gate.run below gets these).
    for (const stack of args.stacks)
        for (const preview of [true, false]) void runProgram({ stack, preview, config: args.overrides }).catch(() => {});
    const gate = shared ?? (await Gate.open());
    try {
        checkFiles(args.stacks, gate.info);
        const jobs = args.stacks.flatMap(stack => [true, false].map(preview => gate.run(stack, preview, args.overrides)));
        const runs = await Promise.all(jobs);
        for (const stack of args.stacks)
            console.log(
                formatStack(
                    stack,
                    runs.filter(r => r.stack === stack),
                    gate.info,
                    args.overrides,
                    stackNotes(stack, args.overrides),
                ),
            );
        const failures = runs.filter(failed);
        const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
        const timing = `pack installed and compiled in ${seconds(gate.copy.installMs)}, started in ${seconds(gate.server.startMs)}; gate ${seconds(Date.now() - started)}`;
        console.log(
            failures.length === 0
                ? `policy gate passed: ${runs.length} runs (${args.stacks.join(", ")}; preview and update), no mandatory violation (${timing})`
                : `policy gate FAILED: ${failures.map(r => `${r.stack} (${r.preview ? "preview" : "update"})`).join(", ")} (${timing})`,
        );
        return failures.length === 0 ? 0 : 1;
    } finally {
        if (!shared) await gate.close();
    }
}

if (require.main === module) {
    main(process.argv.slice(2)).then(
        code => (process.exitCode = code),
        err => {
            const known = err instanceof GateError || err instanceof StackFileError || err instanceof PackConfigError;
            console.error(`gate: ${known ? err.message : (err?.stack ?? err)}`);
            process.exitCode = 2;
        },
    );
}
