/**
 * Runs the real program (index.ts) for one stack under mocks and sends the recording to the
 * parent. One process per run: the runtime reads config once and modules are cached.
 */
import * as pulumi from "@pulumi/pulumi";
import { runInPulumiStack } from "@pulumi/pulumi/runtime/stack";
import * as path from "node:path";
import type { ProgramJob, ProgramRun } from "./program";
import { settle, startRecording } from "./recorder";

async function run(job: ProgramJob): Promise<ProgramRun> {
    const recording = startRecording(job.account, job.preview, job.project, job.stack);
    pulumi.runtime.setAllConfig(job.config);
    const started = process.hrtime.bigint();
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
        error = err instanceof Error ? err.message : String(err);
    }
    const { resources, warnings, infos } = await recording.snapshot();
    recording.stop();
    const programMs = Number(process.hrtime.bigint() - started) / 1e6;
    return { error, outputs: outputs as Record<string, unknown>, resources, warnings, infos, programMs };
}

process.once("message", (job: ProgramJob) => {
    run(job).then(
        result => process.send!(result, () => process.exit(0)),
        err => {
            console.error(err);
            process.exit(1);
        },
    );
});
