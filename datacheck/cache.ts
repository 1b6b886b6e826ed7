import { createHash } from "crypto";
import { promises as fs, readFileSync, readdirSync } from "fs";
import * as path from "path";
import { IdCounter, MAX_USER_SLOTS } from "./engines/stream/id-counter";
import { FileReport } from "./report";

/** A hash of the .ts/.js files of `dir` and its sub-folders, relative names and content. */
export function sourceHash(dir: string): string {
    const hash = createHash("sha256");
    const files = (readdirSync(dir, { recursive: true }) as string[]).filter(f => /\.[jt]s$/.test(f)).sort();
    for (const file of files) hash.update(file).update(readFileSync(path.join(dir, file)));
    return hash.digest("hex").slice(0, 16);
}

/**
 * The checker's version in every cache key: a hash of its own source files, so that results of an older checker
 * (another rule or message) are never reused, without anyone having to remember to bump a number.
 */
let checkerVersion: string | undefined;
const checkerSourceHash = () => (checkerVersion ??= sourceHash(__dirname));

/** Everything a file's result depends on besides the checker itself. */
export interface CacheKeyParts {
    size: number;
    /** A local file's modification time, an S3 object's ETag: what else changes when the bytes may have. */
    stamp: string;
    datasetType: string;
    /** The schema file's text (or the problem reading it), hashed into the key. */
    schemaText?: string;
    /** Whether the file was over headerOnlyAbove: the threshold itself matters only through this. */
    headerOnly: boolean;
    /** The options that change a report. */
    maxProblems: number;
    linesPerProblem: number;
}

export interface CachedResult {
    report: FileReport;
    /** Per-user counts, kept only when the interactions minimums need them across files. */
    users?: IdCounter;
}

interface CacheEntry {
    key: string;
    report: FileReport;
    users?: string;
}

/**
 * A result cache: one small JSON file per checked CSV, named by a hash of its absolute path. An entry is used only
 * when its key matches: checker version, file size and mtime, dataset type, schema content and the options that
 * change results. Unreadable or corrupt entries count as misses; failing to write one is not an error either.
 */
export class ResultCache {
    constructor(
        private readonly dir: string,
        private readonly version = checkerSourceHash(),
    ) {}

    /** Each part by name, so that leaving one out is a visible change (tests/datacheck/cache.spec.ts has one per part). */
    key(parts: CacheKeyParts): string {
        const schemaHash = parts.schemaText === undefined ? null : createHash("sha256").update(parts.schemaText).digest("hex");
        return JSON.stringify({
            version: this.version,
            size: parts.size,
            stamp: parts.stamp,
            datasetType: parts.datasetType,
            schemaHash,
            headerOnly: parts.headerOnly,
            maxProblems: parts.maxProblems,
            linesPerProblem: parts.linesPerProblem,
        });
    }

    async get(filePath: string, key: string): Promise<CachedResult | undefined> {
        try {
            const entry = JSON.parse(await fs.readFile(this.entryPath(filePath), "utf8")) as CacheEntry;
            if (entry.key !== key || typeof entry.report !== "object" || !Array.isArray(entry.report.problems)) return undefined;
            const users =
                typeof entry.users === "string"
                    ? IdCounter.fromBytes(Buffer.from(entry.users, "base64"), MAX_USER_SLOTS, entry.report.usersCapped)
                    : undefined;
            return { report: { ...entry.report, path: filePath, cached: true }, users };
        } catch {
            return undefined;
        }
    }

    async set(filePath: string, key: string, result: CachedResult): Promise<void> {
        const entry: CacheEntry = { key, report: result.report, users: result.users?.toBytes().toString("base64") };
        const target = this.entryPath(filePath);
        const temporary = `${target}.${process.pid}.tmp`;
        try {
            await fs.mkdir(this.dir, { recursive: true });
            await fs.writeFile(temporary, JSON.stringify(entry));
            await fs.rename(temporary, target);
        } catch {
            await fs.rm(temporary, { force: true }).catch(() => undefined);
        }
    }

    private entryPath(filePath: string): string {
        const name = createHash("sha256").update(path.resolve(filePath)).digest("hex").slice(0, 32);
        return path.join(this.dir, `${name}.json`);
    }
}
