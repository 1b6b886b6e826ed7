/**
 * Runs the program with no cloud: under Pulumi mocks, in a child process that serves one run after
 * another. Used by `npm run gate` and by the tests.
 */
import { fork, type ChildProcess } from "node:child_process";
import { createHash } from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import * as yaml from "js-yaml";
import { DEFAULT_ACCOUNT, type MockAccount } from "./aws-mocks";
import type { RecordedResource } from "./recorder";

export const PROJECT_DIR = path.resolve(__dirname, "..");

export interface ProgramJob {
    projectDir: string;
    project: string;
    stack: string;
    preview: boolean;
    account: MockAccount;
    /** Flat config as the engine hands it to the program: `namespace:key` to a string. */
    config: Record<string, string>;
}

export interface ProgramRun {
    /** The message the program stopped with, if it did. */
    error?: string;
    outputs: Record<string, unknown>;
    resources: RecordedResource[];
    warnings: string[];
    infos: string[];
    /** Time from importing index.ts to its outputs, in this process. */
    programMs: number;
    /**
     * CPU time of the program process over the same span (its worker threads included), which other processes on
     * a shared machine disturb less than wall time.
     */
    programCpuMs: number;
}

export function projectName(): string {
    return (yaml.load(fs.readFileSync(path.join(PROJECT_DIR, "Pulumi.yaml"), "utf8")) as { name: string }).name;
}

/** The committed stacks: every `Pulumi.<stack>.yaml` beside Pulumi.yaml. */
export function committedStacks(): string[] {
    return fs
        .readdirSync(PROJECT_DIR)
        .map(f => /^Pulumi\.(.+)\.yaml$/.exec(f)?.[1])
        .filter((s): s is string => s !== undefined)
        .sort();
}

/** A problem with a stack file; the message names the file. */
export class StackFileError extends Error {}

/**
 * A stack file's config flattened the way the engine hands it to a program: every key namespaced,
 * strings as they are, other values (booleans, numbers, maps, lists) as JSON. A key without a
 * namespace is refused as the Pulumi CLI refuses it (`config.ParseKey` in pulumi/pulumi: only
 * `<namespace>:<name>`, or the old `<namespace>:config:<name>`).
 */
export function stackConfig(stack: string, projectDir = PROJECT_DIR): Record<string, string> {
    const name = `Pulumi.${stack}.yaml`;
    let doc: { config?: Record<string, unknown> } | undefined;
    try {
        doc = yaml.load(fs.readFileSync(path.join(projectDir, name), "utf8")) as typeof doc;
    } catch (err) {
        throw new StackFileError(
            `${name}: ${err instanceof yaml.YAMLException ? `not valid YAML: ${err.message}` : (err as Error).message}`,
        );
    }
    const config: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(doc?.config ?? {})) {
        const parts = key.split(":");
        if (parts.length === 2 && parts[0] && parts[1]) config[key] = value;
        else if (parts.length === 3 && parts[1] === "config" && parts[0] && parts[2]) config[`${parts[0]}:${parts[2]}`] = value;
        else
            throw new StackFileError(
                `${name}: could not parse ${key} as a configuration key (configuration keys should be of the form \`<namespace>:<name>\`)` +
                    (parts.length === 1 ? `; write ${projectName()}:${key}` : ""),
            );
    }
    return flattenConfig(config);
}

export function flattenConfig(config: Record<string, unknown>): Record<string, string> {
    return Object.fromEntries(Object.entries(config).map(([k, v]) => [k, typeof v === "string" ? v : JSON.stringify(v)]));
}

export interface RunOptions {
    stack: string;
    preview?: boolean;
    /** Config to set or override, with keys relative to the project namespace unless they contain ":". */
    config?: Record<string, unknown>;
    /** Keys to drop from the stack's config, same naming as `config`. */
    unset?: string[];
    account?: Partial<MockAccount>;
}

const runs = new Map<string, Promise<ProgramRun>>();

/**
 * A folder where processes share program runs (set for the test run by tests/harness/shared-runs.ts):
 * test files run in parallel processes, and several check the same stacks.
 */
export const SHARED_RUNS_ENV = "PERSONALIZE_PROGRAM_RUNS";

/**
 * Runs index.ts for one stack under mocks, in this process's program process. A run depends only on its options
 * and the project's files, so the same run asked for twice (the tests and the gate check the
 * committed stacks alike) is made once: once per process, or once per test run with a shared folder.
 */
export function runProgram(options: RunOptions): Promise<ProgramRun> {
    const key = JSON.stringify([options.stack, options.preview ?? false, options.config ?? {}, options.unset ?? [], options.account ?? {}]);
    if (!runs.has(key)) {
        const dir = process.env[SHARED_RUNS_ENV];
        runs.set(key, dir ? sharedRun(dir, key, () => forkProgram(options)) : forkProgram(options));
    }
    return runs.get(key)!;
}

/** The run from the shared folder; made here if no process is making it (a lock file says one is). */
async function sharedRun(dir: string, key: string, make: () => Promise<ProgramRun>): Promise<ProgramRun> {
    const file = path.join(dir, `${createHash("sha256").update(key).digest("hex").slice(0, 20)}.json`);
    const lock = `${file}.lock`;
    for (;;) {
        if (fs.existsSync(file)) return JSON.parse(fs.readFileSync(file, "utf8"));
        try {
            fs.closeSync(fs.openSync(lock, "wx"));
        } catch {
            // Another process makes it: wait for its result, or for its lock to go if it failed.
            await new Promise(resolve => setTimeout(resolve, 50));
            continue;
        }
        try {
            const run = await make();
            fs.writeFileSync(`${file}.${process.pid}`, JSON.stringify(run));
            fs.renameSync(`${file}.${process.pid}`, file);
            return run;
        } finally {
            fs.rmSync(lock, { force: true });
        }
    }
}

function forkProgram(options: RunOptions): Promise<ProgramRun> {
    const project = projectName();
    const qualify = (key: string) => (key.includes(":") ? key : `${project}:${key}`);
    const config = stackConfig(options.stack);
    for (const key of options.unset ?? []) delete config[qualify(key)];
    Object.assign(config, flattenConfig(Object.fromEntries(Object.entries(options.config ?? {}).map(([k, v]) => [qualify(k), v]))));
    return runJob({
        projectDir: PROJECT_DIR,
        project,
        stack: options.stack,
        preview: options.preview ?? false,
        account: { ...mockAccount(config), ...options.account },
        config,
    });
}

/** The account the mocked provider reports for a stack's config: the mocks' own, in the stack's aws:region. */
export function mockAccount(config: Record<string, string>): MockAccount {
    return { ...DEFAULT_ACCOUNT, region: config["aws:region"] ?? DEFAULT_ACCOUNT.region };
}

/**
 * The child process that runs this process's programs, one after another (program-child.ts): started
 * on the first run, and kept only while runs are asked for, so it never holds this process open.
 */
class ProgramWorker {
    private child: ChildProcess | undefined;
    private readonly waiting: Array<{ resolve(run: ProgramRun): void; reject(err: Error): void; stack: string }> = [];

    run(job: ProgramJob): Promise<ProgramRun> {
        const child = (this.child ??= this.start());
        if (this.waiting.length === 0) hold(child, true);
        return new Promise((resolve, reject) => {
            this.waiting.push({ resolve, reject, stack: job.stack });
            child.send(job);
        });
    }

    private start(): ChildProcess {
        const child = fork(path.join(__dirname, "program-child.ts"), [], {
            execArgv: ["-r", "ts-node/register/transpile-only", "-r", path.join(__dirname, "plain-promise-traces.ts")],
            stdio: ["ignore", "inherit", "inherit", "ipc"],
        });
        child.on("message", m => {
            this.waiting.shift()!.resolve(m as ProgramRun);
            if (this.waiting.length === 0) hold(child, false);
        });
        child.once("error", err => this.fail(child, err));
        // "close", not "exit": a child that exits right after sending can be seen to exit before its
        // message is read; "close" comes once the IPC channel is drained too.
        child.once("close", code => this.fail(child, new Error(`exited ${code}`)));
        return child;
    }

    /** Every run still waiting fails; the next run starts a new child. */
    private fail(child: ChildProcess, err: Error): void {
        if (this.child === child) this.child = undefined;
        for (const { reject, stack } of this.waiting.splice(0))
            reject(new Error(`program run for stack ${stack}: the program process ${err.message} without a result`));
    }
}

/** Whether `child` (the process and its IPC channel) keeps this process running. */
function hold(child: ChildProcess, busy: boolean): void {
    if (busy) {
        child.ref();
        child.channel?.ref();
    } else {
        child.unref();
        child.channel?.unref();
    }
}

const worker = new ProgramWorker();

/** Runs a job in this process's program process. */
export function runJob(job: ProgramJob): Promise<ProgramRun> {
    return worker.run(job);
}
