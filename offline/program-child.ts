/**
 * Runs the real program (index.ts) under mocks for one stack after another, sending each recording
 * to the parent. Loading the runtime, ts-node and @pulumi/aws costs about a second, the program
 * itself a fraction of that, so one process serves every run its parent asks for. Each run starts
 * as in a process of its own: `setMocks` resets the runtime's options and monitor, `setAllConfig`
 * replaces the config, the program runs in a new stack resource, and the project's own modules are
 * evaluated anew.
 */
import * as pulumi from "@pulumi/pulumi";
import { runInPulumiStack } from "@pulumi/pulumi/runtime/stack";
import * as path from "node:path";
import type { ProgramJob, ProgramRun } from "./program";
import { settle, startRecording } from "./recorder";

/** The rejections nobody handled during the current run. */
const unhandled: unknown[] = [];
process.on("unhandledRejection", reason => void unhandled.push(reason));

function messageOf(err: unknown): string {
    return err instanceof Error ? err.message : String(err);
}

async function run(job: ProgramJob): Promise<ProgramRun> {
    unhandled.length = 0;
    forgetProjectModules(job.projectDir);
    const recording = startRecording(job.account, job.preview, job.project, job.stack);
    pulumi.runtime.setAllConfig(job.config);
    const started = process.hrtime.bigint();
    const cpuBefore = process.cpuUsage();
    let outputs: unknown = {};
    let error: string | undefined;
    try {
        // As the Node.js language host runs a program: inside the stack resource, which parents
        // every top-level resource and holds the outputs. Its own view of them is unknown in a
        // preview, so the outputs are read from what the program returned.
        let exported: unknown;
        await runInPulumiStack(async () => (exported = await require(path.join(job.projectDir, "index.ts"))()));
        outputs = await settle(exported);
    } catch (err) {
        error = messageOf(err);
    }
    const { resources, warnings, infos } = await recording.snapshot();
    recording.stop();
    // A promise rejected with nobody to handle it fails the program, as the language host treats it.
    // The program's error rejects the stack resource's own promise too, so wait a turn for Node to report it.
    await new Promise(resolve => setImmediate(resolve));
    error ??= unhandled.length > 0 ? messageOf(unhandled[0]) : undefined;
    const programMs = Number(process.hrtime.bigint() - started) / 1e6;
    const cpu = process.cpuUsage(cpuBefore);
    const programCpuMs = (cpu.user + cpu.system) / 1000;
    return { error, outputs: outputs as Record<string, unknown>, resources, warnings, infos, programMs, programCpuMs };
}

/** Drops the project's own modules (not its packages) from the module cache, so the next run loads them anew. */
function forgetProjectModules(projectDir: string): void {
    const packages = path.join(projectDir, "node_modules") + path.sep;
    for (const file of Object.keys(require.cache))
        if (file.startsWith(projectDir + path.sep) && !file.startsWith(packages)) delete require.cache[file];
}

// One run at a time: the runtime's console capture and module cache are the process's.
let queue = Promise.resolve();
process.on("message", (job: ProgramJob) => {
    queue = queue.then(() =>
        run(job).then(
            result => new Promise<void>(resolve => process.send!(result, () => resolve())),
            err => {
                console.error(err);
                process.exit(1);
            },
        ),
    );
});
// The parent is gone (or done with us): nothing more will come.
process.on("disconnect", () => process.exit(0));
