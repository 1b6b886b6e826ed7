import { promises as fs } from "fs";
import { availableParallelism } from "os";
import { CachedResult, ResultCache } from "./cache";
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

/**
 * What the quotas judge across all files of one dataset: the size of one FULL import, and for Item interactions the
 * minimums to train. A file that alone has enough users with two or more interactions settles that question;
 * otherwise per-user counts of the files are merged, since one user's interactions may be spread over several files.
 */
class DatasetTotals {
    rows = 0;
    bytes = 0;
    files: FileReport[] = [];
    private readonly eventTypes = new Set<string>();
    private metadataColumns = 0;
    private usersSettled = false;
    private merged = new IdCounter(MAX_USER_SLOTS);

    constructor(private readonly type: DatasetType) {}

    add(report: FileReport, users: IdCounter | undefined): void {
        this.files.push(report);
        this.rows += report.rows;
        this.bytes += report.bytes;
        for (const event of report.eventTypes) this.eventTypes.add(event);
        this.metadataColumns = Math.max(this.metadataColumns, report.metadataColumns);
        if (this.type !== "interactions" || this.usersSettled) return;
        if (report.usersWithTwoOrMore >= LIMITS.minUsers) {
            this.usersSettled = true;
            this.merged = new IdCounter(MAX_USER_SLOTS, 1); // the merged counts are no longer needed
        } else if (users) {
            this.merged.merge(users);
        }
    }

    problems(): Problem[] {
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
        if (!this.usersSettled && this.merged.atLeastTwice < LIMITS.minUsers) {
            found.push(at(RULES.interactionsTooFewUsers(this.merged.atLeastTwice, this.merged.capped)));
        }
        return found;
    }
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

    for (const file of files) {
        const loaded = file.schemaPath === undefined ? {} : await loadSchemaOnce(schemas, file.schemaPath);
        const stat = await fs.stat(file.path);
        const headerOnly = options.headerOnlyAboveBytes !== undefined && stat.size > options.headerOnlyAboveBytes;
        const key = cache?.key({
            size: stat.size,
            mtimeMs: stat.mtimeMs,
            datasetType: file.datasetType,
            schemaText: loaded.text ?? loaded.problem?.[1],
            maxProblems,
            linesPerProblem,
            headerOnly,
        });
        let result: CachedResult | undefined = cache && key ? await cache.get(file.path, key) : undefined;
        if (!result) {
            result = await checkFile(file, stat.size, {
                maxProblems,
                linesPerProblem,
                headerOnly,
                splitAboveBytes,
                threads: options.threads ?? availableParallelism(),
                schema: loaded.schema,
                schemaProblem: loaded.problem,
            });
            const keepUsers = file.datasetType === "interactions" && result.report.usersWithTwoOrMore < LIMITS.minUsers;
            if (cache && key) await cache.set(file.path, key, { report: result.report, users: keepUsers ? result.users : undefined });
        }
        reports.push(result.report);
        if (!totals.has(file.datasetType)) totals.set(file.datasetType, new DatasetTotals(file.datasetType));
        totals.get(file.datasetType)!.add(result.report, result.users);
    }

    const problems = [...totals.values()].flatMap(t => t.problems());
    const ok = problems.length === 0 && reports.every(r => r.problems.length === 0 && r.truncatedProblems === 0);
    return { files: reports, problems, ok };
}
