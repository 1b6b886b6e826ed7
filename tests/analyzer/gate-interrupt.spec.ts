// In tests/analyzer/ beside gate.spec.ts, so that mocha hands the two to its two workers first and they run side by side.
import * as assert from "node:assert/strict";
import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { PROJECT_DIR, SHARED_RUNS_ENV } from "../../offline/program";

describe("the gate interrupted (Ctrl-C)", () => {
    it("removes its temporary copy of the pack, as a normal exit does, and exits as interrupted (130)", async () => {
        // The gate's own temporary folder, so that what it leaves behind can be seen.
        const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "gate-interrupt-"));
        try {
            const gate = spawn(
                process.execPath,
                ["-r", "ts-node/register/transpile-only", path.join(PROJECT_DIR, "offline", "gate.ts"), "--stack", "dev"],
                {
                    cwd: PROJECT_DIR,
                    // Runs of its own: the interrupted gate must not leave a lock on a run that other tests share.
                    env: { ...process.env, [SHARED_RUNS_ENV]: "", TMPDIR: tmp },
                    // A process group of its own: Ctrl-C in a terminal signals the whole foreground group.
                    detached: true,
                    stdio: ["ignore", "ignore", "pipe"],
                },
            );
            let stderr = "";
            gate.stderr!.on("data", chunk => (stderr += chunk));
            const exited = new Promise<number | null>(resolve => gate.once("exit", code => resolve(code)));
            const copies = () => fs.readdirSync(tmp).filter(name => name.startsWith("policypack-alone-"));
            const watcher = fs.watch(tmp);
            try {
                // Interrupted once its copy exists; a gate that ends before is a failure of its own.
                await Promise.race([
                    new Promise<void>(resolve => watcher.on("change", () => copies().length > 0 && resolve())),
                    exited.then(end => assert.fail(`the gate ended (${end}) before it copied the pack:\n${stderr}`)),
                ]);
            } finally {
                watcher.close();
            }
            process.kill(-gate.pid!, "SIGINT");
            // 128 + SIGINT, as a shell reports a command that Ctrl-C ended.
            assert.equal(await exited, 130);
            assert.deepEqual(copies(), []);
        } finally {
            fs.rmSync(tmp, { recursive: true, force: true });
        }
    });
});
