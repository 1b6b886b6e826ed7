import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as path from "node:path";
import { DEFAULT_ACCOUNT } from "../offline/aws-mocks";
import { runJob, type ProgramJob } from "../offline/program";

/**
 * The process that runs programs under mocks serves one run after another; each run must see only
 * its own stack, mode and config, and a fresh load of the project's modules, as in a process of its own.
 */
const FIXTURE = path.join(__dirname, "fixtures", "program-worker");

function job(stack: string, config: Record<string, string>, preview = false): ProgramJob {
    return { projectDir: FIXTURE, project: "fixture", stack, preview, account: DEFAULT_ACCOUNT, config };
}

describe("program runs in one process", () => {
    it("see only their own stack, mode, config and resources, and load the project's modules anew", async () => {
        // Queued together: the second waits for the first in the same process.
        const [first, second] = await Promise.all([
            runJob(job("one", { "fixture:name": "first", "fixture:extra": "only in the first run" })),
            runJob(job("two", { "fixture:name": "second" }, true)),
        ]);
        assert.equal(first.error, undefined);
        assert.equal(second.error, undefined);
        assert.equal(second.outputs.pid, first.outputs.pid, "both runs were served by one process");
        assert.deepEqual(
            { ...second.outputs, pid: undefined },
            { stacksRun: ["two"], pid: undefined, stack: "two", preview: true, config: { "fixture:name": "second" } },
        );
        assert.deepEqual(
            second.resources.map(r => r.urn),
            [
                "urn:pulumi:two::fixture::pulumi:pulumi:Stack::fixture-two",
                "urn:pulumi:two::fixture::pulumi:pulumi:Stack$fixture:index:Thing::second",
            ],
        );
    });

    it("a run that throws or leaves a rejection unhandled fails with its message, and the next run is unharmed", async () => {
        const [before, thrown, rejected, after] = await Promise.all([
            runJob(job("one", { "fixture:name": "before" })),
            runJob(job("one", { "fixture:name": "x", "fixture:throwWith": "bad config value" })),
            runJob(job("one", { "fixture:name": "x", "fixture:rejectWith": "a promise nobody awaited failed" })),
            runJob(job("one", { "fixture:name": "fine" })),
        ]);
        assert.equal(thrown.error, "bad config value");
        assert.equal(rejected.error, "a promise nobody awaited failed");
        assert.equal(after.error, undefined);
        assert.equal(after.outputs.pid, before.outputs.pid, "the failures left the process serving");
        assert.deepEqual(
            after.resources.map(r => r.name),
            ["fixture-one", "fine"],
        );
    });
});

describe("the program process", () => {
    it("does not keep the process that asked for runs alive once they are done", () => {
        const script = `
            const { runJob } = require("./offline/program");
            const job = ${JSON.stringify(job("one", { "fixture:name": "last" }))};
            runJob(job).then(run => console.log(JSON.stringify(run.resources.map(r => r.name))));`;
        const result = spawnSync(process.execPath, ["-r", "ts-node/register/transpile-only", "-e", script], {
            cwd: path.join(__dirname, ".."),
            encoding: "utf8",
            timeout: 60_000,
        });
        assert.equal(result.signal, null, "still running after a minute");
        assert.equal(result.status, 0, result.stderr);
        assert.equal(result.stdout, '["fixture-one","last"]\n');
    });
});
