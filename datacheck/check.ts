import { promises as fs } from "fs";
import { ResultCache, localFileVersion } from "./cache";
import { DataFile, DatasetType } from "./rules/dataset-type";
import { checkFile } from "./engines/stream/file-check";
import { IdCounter, MAX_USER_SLOTS } from "./engines/stream/id-counter";
import { DataReport, FileReport, Problem } from "./report";
import { LIMITS, RULES } from "./rules/table";
import { DatasetSchema, loadSchema } from "./rules/schema";

export interface CheckOptions {
    /** Problems listed per file (default 20); the report counts the rest in truncatedProblems. */
    maxProblemsPerFile?: number;
    /** Files larger than this get the header check only (plus size limits). */
    headerOnlyAboveBytes?: number;
    /** Folder of the result cache; undefined = no cache. */
    cacheDir?: string;
    /** Files with more data than this are checked on two threads (default 64 MB). */
    splitAboveBytes?: number;
    /** Line numbers listed for a rule broken on many rows (default 5); the finding counts all of its rows. */
    linesPerProblem?: number;
}

interface LoadedSchema {
    schema?: DatasetSchema;
    text?: string;
    problem?: [rule: string, message: string, schemaPath: string];
}

async function loadSchemaOnce(cache: Map<string, Promise<LoadedSchema>>, schemaPath: string): Promise<LoadedSchema> {
    let loaded = cache.get(schemaPath);
    if (!loaded) {
        loaded = loadSchema(schemaPath).then(
            ({ schema, text }) => ({ schema, text }),
            (e: Error) => {
                const detail = (e as NodeJS.ErrnoException).code ? `cannot read the schema (${e.message})` : e.message;
                const [rule, message] = RULES.schemaInvalid(detail);
                return { problem: [rule, message, schemaPath] as [string, string, string] };
            },
        );
        cache.set(schemaPath, loaded);
    }
    return loaded;
}

/** Where a file's per-user counts come from: its check just now, or the cache (read only if needed). */
type UserCounts = IdCounter | (() => Promise<IdCounter | undefined>) | undefined;

/**
 * What the quotas judge across all files of one dataset: the size of one FULL import, and for Item interactions the
 * minimums to train. One user's interactions may be spread over several files, so the per-user counts of the files
 * are merged, unless the files' own counts already settle the minimums (a user with two interactions in one file
 * has them in the dataset too). Counts of a file checked just now are merged as it comes (the counter is in memory
 * anyway); those of cached files only when the minimums need them.
 */
class DatasetTotals {
    rows = 0;
    bytes = 0;
    files: FileReport[] = [];
    private readonly eventTypes = new Set<string>();
    private metadataColumns = 0;
    private merged: IdCounter | undefined;
    private readonly cachedUsers: Array<() => Promise<IdCounter | undefined>> = [];
    private usersMissing = false;

    constructor(private readonly type: DatasetType) {}

    add(report: FileReport, users: UserCounts): void {
        this.files.push(report);
        this.rows += report.rows;
        this.bytes += report.bytes;
        for (const event of report.eventTypes) this.eventTypes.add(event);
        this.metadataColumns = Math.max(this.metadataColumns, report.metadataColumns);
        if (this.type !== "interactions") return;
        if (typeof users === "function") this.cachedUsers.push(users);
        else if (!users) this.usersMissing = true;
        else if (!this.merged) this.merged = users;
        else this.merged.merge(users);
    }

    async problems(): Promise<Problem[]> {
        // A problem of the dataset as a whole names the dataset and its files, not a line of one of them.
        const path = `${this.type} dataset (${this.files.map(f => f.path).join(", ")})`;
        const at = ([rule, message]: [string, string]): Problem => ({ path, rule, message });
        const found: Problem[] = [];
        const fullImportBytes = LIMITS.fullImportBytes[this.type];
        if (fullImportBytes !== undefined && this.bytes > fullImportBytes) found.push(at(RULES.importTooLarge(this.type, this.bytes)));
        if (this.eventTypes.size + this.metadataColumns > LIMITS.eventTypesAndMetadata)
            found.push(at(RULES.eventTypesTooMany([...this.eventTypes], this.metadataColumns)));
        // Without the data rows of every file the counts would be wrong, so minimums are only judged on full checks.
        if (this.type !== "interactions" || this.files.some(f => f.headerOnly)) return found;
        if (this.rows < LIMITS.minInteractions) found.push(at(RULES.interactionsTooFew(this.rows, this.files.length)));
        const users = await this.userTotals();
        if (users.twoOrMore < LIMITS.minUsers) found.push(at(RULES.interactionsTooFewUsers(users.twoOrMore, users.capped)));
        return found;
    }

    /** Users with two or more interactions in the dataset: from one file's counts when they settle it, else merged. */
    private async userTotals(): Promise<{ twoOrMore: number; capped: boolean }> {
        const mostInOneFile = Math.max(...this.files.map(f => f.usersWithTwoOrMore));
        const capped = this.files.some(f => f.usersCapped);
        if (this.files.length === 1 || mostInOneFile >= LIMITS.minUsers) return { twoOrMore: mostInOneFile, capped };
        const merged = this.merged ?? new IdCounter(MAX_USER_SLOTS);
        for (const load of this.cachedUsers.splice(0)) {
            const users = await load();
            if (users) merged.merge(users);
            else this.usersMissing = true;
        }
        this.merged = merged;
        // A file whose counts are gone (a cache file removed) counts only its own users: a lower bound.
        return this.usersMissing
            ? { twoOrMore: Math.max(mostInOneFile, merged.atLeastTwice), capped }
            : { twoOrMore: merged.atLeastTwice, capped: merged.capped };
    }
}

/**
 * Checks CSV files before they are uploaded for Personalize import. Files are checked one after the other (a large
 * file uses both cores itself); problems of a dataset as a whole name the dataset and its files.
 */
export async function checkDataFiles(files: DataFile[], options: CheckOptions = {}): Promise<DataReport> {
    const maxProblems = options.maxProblemsPerFile ?? 20;
    const splitAboveBytes = options.splitAboveBytes ?? 64 * 1024 * 1024;
    const linesPerProblem = options.linesPerProblem ?? 5;
    const cache = options.cacheDir === undefined ? undefined : new ResultCache(options.cacheDir);
    const schemas = new Map<string, Promise<LoadedSchema>>();
    const totals = new Map<DatasetType, DatasetTotals>();
    const reports: FileReport[] = [];

    for (const file of files) {
        const loaded = file.schemaPath === undefined ? {} : await loadSchemaOnce(schemas, file.schemaPath);
        const stat = await fs.stat(file.path);
        const source = localFileVersion(file.path, stat);
        const headerOnly = options.headerOnlyAboveBytes !== undefined && stat.size > options.headerOnlyAboveBytes;
        const key = cache?.checkKey({
            datasetType: file.datasetType,
            schemaText: loaded.text ?? loaded.problem?.[1],
            maxProblems,
            linesPerProblem,
            headerOnly,
        });
        const cached = cache && key ? await cache.getCheck(source, key) : undefined;
        let report: FileReport;
        let users: UserCounts;
        if (cached) {
            ({ report, users } = cached);
            report = { ...report, path: file.path };
        } else {
            const result = await checkFile(file, stat.size, {
                maxProblems,
                linesPerProblem,
                headerOnly,
                splitAboveBytes,
                schema: loaded.schema,
                schemaProblem: loaded.problem,
            });
            ({ report, users } = result);
            // Only the interactions minimums count users across files.
            const keptUsers = file.datasetType === "interactions" && !headerOnly ? result.users : undefined;
            if (cache && key) await cache.setCheck(source, key, { report, users: keptUsers });
        }
        reports.push(report);
        if (!totals.has(file.datasetType)) totals.set(file.datasetType, new DatasetTotals(file.datasetType));
        totals.get(file.datasetType)!.add(report, users);
    }

    const problems = (await Promise.all([...totals.values()].map(t => t.problems()))).flat();
    const ok = problems.length === 0 && reports.every(r => r.problems.length === 0 && r.truncatedProblems === 0);
    return { files: reports, problems, ok };
}
