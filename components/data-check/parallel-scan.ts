import { createHash } from "crypto";
import { readFileSync, renameSync, rmSync, writeFileSync } from "fs";
import * as os from "os";
import * as path from "path";
import { Worker } from "worker_threads";
import { IdCounter, TransferredIdCounter } from "./id-counter";
import { RangeRequest, RangeResult, scanRange } from "./range-scan";

let transpiled: Record<string, string> | undefined;

/** The worker's entry and the local modules it imports, transitively, with their TypeScript source. */
function workerSources(entry: string): Record<string, string> {
    const sources: Record<string, string> = {};
    const pending = [entry];
    for (let fileName = pending.pop(); fileName !== undefined; fileName = pending.pop()) {
        if (sources[fileName] !== undefined) continue;
        sources[fileName] = readFileSync(fileName, "utf8");
        for (const [, name] of sources[fileName].matchAll(/from ["']\.\/([\w-]+)["']/g)) pending.push(path.join(__dirname, `${name}.ts`));
    }
    return sources;
}

/**
 * The worker's modules as JavaScript, keyed by .ts path. Transpiling costs the main thread about 200 ms (the
 * compiler's code is still cold), so the output is also kept in the temp folder, keyed by a hash of the sources
 * and the compiler version; an unreadable or stale copy is simply transpiled again.
 */
function transpiledWorkerModules(entry: string): Record<string, string> {
    if (transpiled) return transpiled;
    // Only reached under ts-node, which has already loaded the compiler.
    const ts = require("typescript") as typeof import("typescript");
    const sources = workerSources(entry);
    const hash = createHash("sha256").update(ts.version).update(JSON.stringify(sources)).digest("hex").slice(0, 24);
    const cacheFile = path.join(os.tmpdir(), `data-check-worker-${hash}.json`);
    try {
        transpiled = JSON.parse(readFileSync(cacheFile, "utf8")) as Record<string, string>;
        return transpiled;
    } catch {
        const modules: Record<string, string> = {};
        for (const [fileName, source] of Object.entries(sources)) {
            modules[fileName] = ts.transpileModule(source, {
                fileName,
                compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022, esModuleInterop: true },
            }).outputText;
        }
        const temporary = `${cacheFile}.${process.pid}.tmp`;
        try {
            writeFileSync(temporary, JSON.stringify(modules));
            renameSync(temporary, cacheFile);
        } catch {
            rmSync(temporary, { force: true });
        }
        transpiled = modules;
        return modules;
    }
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
export function mergeRanges(first: RangeResult, second: RangeResult, maxProblems: number): RangeResult {
    const problems = [...first.problems, ...second.problems];
    const kept = problems.slice(0, maxProblems);
    first.users.merge(second.users);
    first.items.merge(second.items);
    return {
        rows: first.rows + second.rows,
        problems: kept,
        truncatedProblems: first.truncatedProblems + second.truncatedProblems + problems.length - kept.length,
        nextOffset: second.nextOffset,
        nextLine: second.nextLine,
        users: first.users,
        items: first.items,
    };
}

/**
 * Checks [start, size) on two cores: records never span lines (a quoted line break is itself a problem), so the
 * range is cut at a line break near its middle and the second half is checked in a worker from line 1; its line
 * numbers are then offset by the lines of the first half. If a record of the first half does run past the cut
 * (a quoted line break), the worker's result is dropped and the rest is checked from where the first half ended.
 */
export async function scanSplit(request: RangeRequest, cut: number): Promise<RangeResult> {
    const [first, second] = await Promise.all([
        scanRange({ ...request, stop: cut }),
        scanRangeInWorker({ ...request, start: cut, firstLine: 1 }),
    ]);
    if (first.nextOffset !== cut) {
        const rest = await scanRange({ ...request, start: first.nextOffset, firstLine: first.nextLine });
        return mergeRanges(first, rest, request.maxProblems);
    }
    const offset = first.nextLine - 1;
    const shifted = {
        ...second,
        problems: second.problems.map(p => ({ ...p, line: p.line + offset })),
        nextLine: second.nextLine + offset,
    };
    return mergeRanges(first, shifted, request.maxProblems);
}
