import { availableParallelism } from "os";
import { ResultCache, sourceVersion } from "./cache";
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
    /** Files with more data than this are split at line breaks and checked on `threads` threads (default 64 MB). */
    splitAboveBytes?: number;
    /** Threads a file over splitAboveBytes is checked on (default: os.availableParallelism(), every core). */
    threads?: number;
    /** Line numbers listed for a rule broken on many rows (default 5); the finding counts all of its rows. */
    linesPerProblem?: number;
    /** Told as each file's check starts (its index in `files` and its size), e.g. to show progress. */
    onFile?: (index: number, file: DataFile, bytes: number) => void;
}

export interface LoadedSchema {
    schema?: DatasetSchema;
    text?: string;
    problem?: [rule: string, message: string, schemaPath: string];
}

export async function loadSchemaOnce(cache: Map<string, Promise<LoadedSchema>>, schemaPath: string): Promise<LoadedSchema> {
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
    private readonly eventTypeQuotaFields = new Set<string>();
    private merged: IdCounter | undefined;
    private readonly cachedUsers: Array<() => Promise<IdCounter | undefined>> = [];
    /** A file without per-user counts: only a header-only one, whose minimums are not judged. */
    private usersMissing = false;

    constructor(private readonly type: DatasetType) {}

    add(report: FileReport, users: UserCounts): void {
        this.files.push(report);
        this.rows += report.rows;
        this.bytes += report.bytes;
        if (this.type !== "interactions") return;
        for (const event of report.eventTypes) this.eventTypes.add(event);
        for (const field of report.eventTypeQuotaFields) this.eventTypeQuotaFields.add(field);
        if (typeof users === "function") this.cachedUsers.push(users);
        else if (!users) this.usersMissing = true;
        else if (!this.merged) this.merged = users;
        else this.merged.merge(users);
    }

    async problems(): Promise<Problem[]> {
        const headerOnly = this.files.some(f => f.headerOnly);
        return datasetFindings({
            type: this.type,
            paths: this.files.map(f => f.path),
            rows: this.rows,
            bytes: this.bytes,
            eventTypes: [...this.eventTypes],
            eventTypeQuotaFields: [...this.eventTypeQuotaFields],
            headerOnly,
            users: this.type === "interactions" && !headerOnly ? await this.userTotals() : undefined,
        });
    }

    /**
     * Users with two or more interactions in the dataset, and all its users: from the files' own counts when they
     * settle the minimums (a user with two interactions in one file has them in the dataset, and the dataset has at
     * most as many users as its files together), else from the merged per-user counts.
     */
    private async userTotals(): Promise<{ twoOrMore: number; all: number; capped: boolean }> {
        const mostInOneFile = Math.max(...this.files.map(f => f.usersWithTwoOrMore));
        const atMost = this.files.reduce((sum, f) => sum + f.users, 0);
        const capped = this.files.some(f => f.usersCapped);
        const settled = mostInOneFile >= LIMITS.minUsers && 100 * mostInOneFile >= LIMITS.minUsersPercent * atMost;
        if (this.files.length === 1 || (settled && !capped)) return { twoOrMore: mostInOneFile, all: atMost, capped };
        const merged = this.merged ?? new IdCounter(MAX_USER_SLOTS);
        let missing = this.usersMissing;
        for (const load of this.cachedUsers.splice(0)) {
            const users = await load();
            if (users) merged.merge(users);
            else missing = true;
        }
        this.merged = merged;
        // Counts of a file gone from the cache since it was read: what is left is a lower bound, as for a capped count.
        return {
            twoOrMore: Math.max(mostInOneFile, merged.atLeastTwice),
            all: merged.size,
            capped: merged.capped || missing,
        };
    }
}

/** What the dataset-wide rules judge, whichever engine counted it. */
export interface DatasetFigures {
    type: DatasetType;
    paths: string[];
    rows: number;
    bytes: number;
    /** Item interactions: distinct EVENT_TYPE values, and the optional fields that count with them. */
    eventTypes: string[];
    eventTypeQuotaFields: string[];
    headerOnly: boolean;
    /** Item interactions, when every file was fully checked: users with two or more interactions, and all users. */
    users?: { twoOrMore: number; all: number; capped: boolean };
}

/** The dataset-wide rules: the size of one FULL import, and for Item interactions its quotas and minimums. */
export function datasetFindings(figures: DatasetFigures): Problem[] {
    // A problem of the dataset as a whole names the dataset and its files, not a line of one of them.
    const path = `${figures.type} dataset (${figures.paths.join(", ")})`;
    const at = ([rule, message]: [string, string]): Problem => ({ path, rule, message });
    const found: Problem[] = [];
    const fullImportBytes = LIMITS.fullImportBytes[figures.type];
    if (fullImportBytes !== undefined && figures.bytes > fullImportBytes) found.push(at(RULES.importTooLarge(figures.type, figures.bytes)));
    // Everything below is about the Item interactions dataset alone: no other dataset has these quotas.
    if (figures.type !== "interactions") return found;
    if (figures.eventTypes.length + figures.eventTypeQuotaFields.length > LIMITS.eventTypesAndMetadata)
        found.push(at(RULES.eventTypesTooMany(figures.eventTypes, figures.eventTypeQuotaFields)));
    // Without the data rows of every file the counts would be wrong, so minimums are only judged on full checks.
    if (figures.headerOnly) return found;
    if (figures.rows < LIMITS.minInteractions) found.push(at(RULES.interactionsTooFew(figures.rows, figures.paths.length)));
    const users = figures.users ?? { twoOrMore: 0, all: 0, capped: false };
    if (users.twoOrMore < LIMITS.minUsers) found.push(at(RULES.interactionsTooFewUsers(users.twoOrMore, users.capped)));
    // With capped counts neither number is exact, and their ratio could fall either side: not judged then.
    else if (!users.capped && 100 * users.twoOrMore < LIMITS.minUsersPercent * users.all)
        found.push(at(RULES.interactionsTooFewUsersShare(users.twoOrMore, users.all)));
    return found;
}

/**
 * Checks CSV files before they are uploaded for Personalize import. Files are checked one after the other (a large
 * file uses every core itself); problems of a dataset as a whole name the dataset and its files.
 */
export async function checkDataFiles(files: DataFile[], options: CheckOptions = {}): Promise<DataReport> {
    const maxProblems = options.maxProblemsPerFile ?? 20;
    const splitAboveBytes = options.splitAboveBytes ?? 64 * 1024 * 1024;
    const linesPerProblem = options.linesPerProblem ?? 5;
    const cache = options.cacheDir === undefined ? undefined : new ResultCache(options.cacheDir);
    const schemas = new Map<string, Promise<LoadedSchema>>();
    const totals = new Map<DatasetType, DatasetTotals>();
    const reports: FileReport[] = [];

    for (const [index, file] of files.entries()) {
        const loaded = file.schemaPath === undefined ? {} : await loadSchemaOnce(schemas, file.schemaPath);
        const source = await sourceVersion(file.path);
        options.onFile?.(index, file, source.size);
        const headerOnly = options.headerOnlyAboveBytes !== undefined && source.size > options.headerOnlyAboveBytes;
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
            const result = await checkFile(file, source.size, {
                maxProblems,
                linesPerProblem,
                headerOnly,
                splitAboveBytes,
                threads: options.threads ?? availableParallelism(),
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
