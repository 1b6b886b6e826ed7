import { createHash } from "crypto";
import { promises as fs, readFileSync, readdirSync } from "fs";
import * as path from "path";
import { IdCounter, MAX_USER_SLOTS } from "./id-counter";
import { FileReport } from "./report";

/**
 * Part of every cache key: a hash of the checker's own source files, so that results of an older checker (another
 * rule or message) are never reused, without anyone having to remember to bump a number.
 */
let checkerVersion: string | undefined;
function checkerSourceHash(): string {
    if (checkerVersion === undefined) {
        const hash = createHash("sha256");
        for (const file of readdirSync(__dirname)
            .filter(f => /\.[jt]s$/.test(f))
            .sort())
            hash.update(file).update(readFileSync(path.join(__dirname, file)));
        checkerVersion = hash.digest("hex").slice(0, 16);
    }
    return checkerVersion;
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
    constructor(private readonly dir: string) {}

    static key(parts: {
        size: number;
        mtimeMs: number;
        datasetType: string;
        schemaText?: string;
        maxProblems: number;
        headerOnly: boolean;
    }): string {
        const schemaHash = parts.schemaText === undefined ? null : createHash("sha256").update(parts.schemaText).digest("hex");
        return JSON.stringify({ version: checkerSourceHash(), ...parts, schemaText: undefined, schemaHash });
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
