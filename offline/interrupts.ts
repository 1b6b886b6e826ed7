import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";

/**
 * What an interrupt (Ctrl-C, SIGTERM, SIGHUP) must undo before the process ends, as a normal end
 * would: temporary folders to remove, commands to stop. Undone in the reverse of the order they were
 * asked for (a command before the folder it writes into), then the process exits as the signal would
 * have ended it (status 128 + the signal's number: 130 for Ctrl-C). The signals are listened to only
 * while something is to be undone.
 */
const pending = new Set<() => void>();
const SIGNALS: NodeJS.Signals[] = ["SIGINT", "SIGTERM", "SIGHUP"];

function onSignal(signal: NodeJS.Signals): void {
    for (const undo of [...pending].reverse()) undo();
    pending.clear();
    process.exit(128 + os.constants.signals[signal]);
}

/** Has an interrupt call `undo`, until the returned function says it is done with. */
export function onInterrupt(undo: () => void): () => void {
    if (pending.size === 0) for (const signal of SIGNALS) process.on(signal, onSignal);
    pending.add(undo);
    return () => {
        pending.delete(undo);
        if (pending.size === 0) for (const signal of SIGNALS) process.off(signal, onSignal);
    };
}

/**
 * A new temporary folder (mkdtemp: a random name that only this user can write, mode 0700), removed
 * by `remove()` or by an interrupt. Asked for before the folder exists: a signal is handled once this
 * synchronous code is done, by then with the folder's name known.
 */
export function temporaryFolder(prefix: string): { dir: string; remove(): void } {
    let dir: string | undefined;
    const removeDir = () => {
        if (dir !== undefined) fs.rmSync(dir, { recursive: true, force: true });
    };
    const done = onInterrupt(removeDir);
    try {
        dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
    } catch (err) {
        done();
        throw err;
    }
    return {
        dir,
        remove: () => {
            removeDir();
            done();
        },
    };
}
