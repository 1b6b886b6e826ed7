import assert from "node:assert/strict";

/**
 * offline/plain-promise-traces.ts (loaded by .mocharc.json and by the program process): the stack
 * traces the Pulumi runtime keeps on its promises are formatted plainly, any other still points at
 * the TypeScript source.
 */

// Types only: gone from the JavaScript that runs, so the lines below move up there.
interface Padding {
    a: string;
    b: number;
    c: boolean;
}
type Unused = Padding;

function errorHere(): Error {
    return new Error("here"); // line 18
}

describe("stack traces under ts-node", () => {
    it("point at the TypeScript line of an error", () => {
        const top = errorHere().stack!.split("\n")[1];
        assert.match(top, /plain-promise-traces\.spec\.ts:18:\d+\)$/);
    });

    it("are plain in the traces the Pulumi runtime keeps on its promises: the same frames, not mapped", () => {
        const { debuggablePromise } = require("@pulumi/pulumi/runtime/debuggable");
        const promise = Promise.resolve();
        debuggablePromise(promise, "test");
        const trace: string = (promise as any)._debugStackTrace;
        const lines = trace.split("\n");
        assert.equal(lines[0], "Error");
        assert.match(lines[1], /^ {4}at debuggablePromise \(.*debuggable\.js:\d+:\d+\)$/);
        // The caller, this file, at the line of the JavaScript that runs (not 30, where it is in the source).
        assert.match(lines[2], /plain-promise-traces\.spec\.ts:(\d+):\d+\)$/);
        assert.notEqual(Number(/spec\.ts:(\d+)/.exec(lines[2])![1]), 30);
    });
});

export type { Unused };
