import { mkdtempSync, rmSync } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";

const SIGNALS = ["SIGINT", "SIGTERM", "SIGHUP"] as const;

/**
 * A new folder for a script's generated data, and how to remove it. It is removed on Ctrl-C (SIGINT), SIGTERM and
 * SIGHUP too, after which the script exits as the signal would have ended it (status 128 + the signal's number):
 * a benchmark interrupted while it writes a gigabyte must not leave that gigabyte behind. The script still removes
 * it itself when it ends otherwise (in a `finally`).
 */
export function scriptTempFolder(prefix: string): { dir: string; remove(): void } {
    const dir = mkdtempSync(path.join(os.tmpdir(), prefix));
    const onSignal = (signal: NodeJS.Signals) => {
        remove();
        process.exit(128 + os.constants.signals[signal]);
    };
    const remove = () => {
        for (const signal of SIGNALS) process.off(signal, onSignal);
        rmSync(dir, { recursive: true, force: true });
    };
    for (const signal of SIGNALS) process.on(signal, onSignal);
    return { dir, remove };
}
