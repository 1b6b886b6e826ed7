import { readFileSync } from "fs";
import * as path from "path";
import { Worker } from "worker_threads";
import { IdCounter, TransferredIdCounter } from "./id-counter";
import { RangeRequest, RangeResult, scanRange } from "./range-scan";
import { ProblemList } from "../../report";
import { MAX_EVENT_TYPES } from "./row-checker";
import { MAX_RECORD_BYTES } from "./scanner";
import { openSource } from "../../sources/source";

let transpiled: Record<string, string> | undefined;

/** The worker's entry and the local modules it imports, transitively, with their TypeScript source. */
function workerSources(entry: string): Record<string, string> {
    const sources: Record<string, string> = {};
    const pending = [entry];
    for (let fileName = pending.pop(); fileName !== undefined; fileName = pending.pop()) {
        if (sources[fileName] !== undefined) continue;
        sources[fileName] = readFileSync(fileName, "utf8");
        for (const [, spec] of sources[fileName].matchAll(/from ["'](\.\.?\/[\w./-]+)["']/g))
            pending.push(path.resolve(path.dirname(fileName), `${spec}.ts`));
    }
    return sources;
}

type Transpile = (source: string, fileName: string) => string;

/**
 * What turns the worker's TypeScript into JavaScript: swc, which ts-node uses here (tsconfig.json "swc": true) and
 * which takes a few milliseconds, else the TypeScript compiler (about 700 ms cold).
 */
function transpiler(): Transpile {
    try {
        const swc = require("@swc/core") as typeof import("@swc/core");
        return (source, filename) =>
            swc.transformSync(source, {
                filename,
                jsc: { parser: { syntax: "typescript" }, target: "es2022" },
                module: { type: "commonjs" },
            }).code;
    } catch {
        const ts = require("typescript") as typeof import("typescript");
        return (source, fileName) =>
            ts.transpileModule(source, {
                fileName,
                compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022, esModuleInterop: true },
            }).outputText;
    }
}

/**
 * The worker's modules as JavaScript, keyed by .ts path, transpiled in memory from the project's own sources once
 * per process. Nothing is written to or read from a shared folder such as the temp folder: a file there could be
 * planted by another user and would run as our code inside `pulumi preview`.
 */
function transpiledWorkerModules(entry: string): Record<string, string> {
    if (transpiled) return transpiled;
    const transpile = transpiler();
    const modules: Record<string, string> = {};
    for (const [fileName, source] of Object.entries(workerSources(entry))) modules[fileName] = transpile(source, fileName);
    transpiled = modules;
    return modules;
}

/** Loads `.ts` modules from the JavaScript handed over in workerData.modules. */
const TS_MODULE_SHIM = `
const Module = require('module');
const { workerData } = require('worker_threads');
Module._extensions['.ts'] = (module, fileName) => {
    const code = workerData.modules[fileName];
    if (typeof code !== 'string') throw new Error('data-check worker: no transpiled source for ' + fileName);
    module._compile(code, fileName);
};
require(workerData.entry);
`;

/**
 * Starts the worker. Compiled JavaScript loads its sibling .js directly. Under ts-node (tests, scripts) the worker
 * would have to load ts-node and the TypeScript compiler again (about 50 MB and half a second), so this thread
 * transpiles the library's modules and a small shim in the worker runs them.
 */
function startWorker(request: RangeRequest): Worker {
    const entry = path.join(__dirname, `scan-worker${path.extname(__filename)}`);
    if (!__filename.endsWith(".ts")) return new Worker(entry, { workerData: { request } });
    // execArgv: [] keeps the worker from inheriting `-r ts-node/register`, which would load the compiler anyway.
    return new Worker(TS_MODULE_SHIM, {
        eval: true,
        execArgv: [],
        workerData: { request, entry, modules: transpiledWorkerModules(entry) },
    });
}

export function scanRangeInWorker(request: RangeRequest): Promise<RangeResult> {
    return new Promise((resolve, reject) => {
        const worker = startWorker(request);
        worker.once(
            "message",
            (
                message:
                    | (Omit<RangeResult, "users" | "items"> & { users: TransferredIdCounter; items: TransferredIdCounter })
                    | { error: string },
            ) => {
                if ("error" in message) reject(new Error(message.error));
                else resolve({ ...message, users: IdCounter.fromTransfer(message.users), items: IdCounter.fromTransfer(message.items) });
                void worker.terminate();
            },
        );
        worker.once("error", reject);
        worker.once("exit", code => reject(new Error(`the data-check worker exited with code ${code} before reporting`)));
    });
}

/** Two consecutive range results as one: line numbers of the second are already absolute. */
export function mergeRanges(first: RangeResult, second: RangeResult, request: RangeRequest): RangeResult {
    const problems = new ProblemList(request.path, request.maxProblems, request.linesPerProblem);
    for (const p of [...first.problems, ...second.problems]) problems.addEntry(p);
    first.users.merge(second.users);
    first.items.merge(second.items);
    return {
        rows: first.rows + second.rows,
        problems: problems.problems,
        truncatedProblems: first.truncatedProblems + second.truncatedProblems + problems.truncated,
        nextOffset: second.nextOffset,
        nextLine: second.nextLine,
        users: first.users,
        items: first.items,
        eventTypes: [...new Set([...first.eventTypes, ...second.eventTypes])].slice(0, MAX_EVENT_TYPES),
    };
}

/**
 * Where to cut [start, size) into `parts` ranges of about equal size: just after the first line break at or past each
 * boundary. A boundary with no line break in the MAX_RECORD_BYTES after it (one record that long is a problem
 * anyway) is dropped, and so is one whose line break is the previous cut's (a line longer than a part), so there may
 * be fewer cuts; they are increasing and inside (start, size).
 */
export async function lineBreakCuts(path: string, start: number, size: number, parts: number): Promise<number[]> {
    const file = await openSource(path);
    try {
        const cuts: number[] = [];
        const buf = Buffer.alloc(MAX_RECORD_BYTES);
        for (let i = 1; i < parts; i++) {
            const boundary = start + Math.floor(((size - start) * i) / parts);
            const bytesRead = await file.read(buf, 0, buf.length, boundary);
            const lf = buf.subarray(0, bytesRead).indexOf(0x0a);
            const cut = boundary + lf + 1;
            if (lf >= 0 && cut < size && cut > (cuts[cuts.length - 1] ?? start)) cuts.push(cut);
        }
        return cuts;
    } finally {
        await file.close();
    }
}

/**
 * Checks [start, size) on several cores: records never span lines (a quoted line break is itself a problem), so the
 * range is cut at line breaks (`cuts`, from lineBreakCuts); this thread checks the first part and one worker each of
 * the others, from line 1. Results are then joined in file order, each part's line numbers offset by the lines
 * before it. If a record does run past a cut (a quoted line break), the part after that cut is checked again, here,
 * from where the record ended, and its worker's result is dropped.
 */
export async function scanSplit(request: RangeRequest, cuts: number[]): Promise<RangeResult> {
    const stops = [...cuts, request.stop];
    const [first, ...rest] = await Promise.all(
        stops.map((stop, i) =>
            i === 0 ? scanRange({ ...request, stop }) : scanRangeInWorker({ ...request, start: cuts[i - 1], stop, firstLine: 1 }),
        ),
    );
    let merged = first;
    for (let i = 0; i < rest.length; i++) {
        if (merged.nextOffset === cuts[i]) {
            merged = mergeRanges(merged, shiftLines(rest[i], merged.nextLine - 1), request);
        } else {
            const again = await scanRange({ ...request, start: merged.nextOffset, stop: stops[i + 1], firstLine: merged.nextLine });
            merged = mergeRanges(merged, again, request);
        }
    }
    return merged;
}

/** A range result checked from line 1, with its line numbers moved down by `offset` lines. */
function shiftLines(result: RangeResult, offset: number): RangeResult {
    return {
        ...result,
        problems: result.problems.map(p => ({ ...p, line: p.line! + offset, lines: p.lines?.map(l => l + offset) })),
        nextLine: result.nextLine + offset,
    };
}
