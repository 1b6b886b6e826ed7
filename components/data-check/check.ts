import { promises as fs } from "fs";
import { CachedResult, ResultCache } from "./cache";
import { DataFile } from "./dataset-type";
import { checkFile } from "./file-check";
import { IdCounter, MAX_USER_SLOTS } from "./id-counter";
import { DataReport, FileReport, Problem } from "./report";
import { LIMITS, RULES } from "./rules";
import { DatasetSchema, loadSchema } from "./schema";

export interface CheckOptions {
    /** Problems listed per file (default 20); the report counts the rest in truncatedProblems. */
    maxProblemsPerFile?: number;
    /** Files larger than this get the header check only (plus size limits). */
    headerOnlyAboveBytes?: number;
    /** Folder of the result cache; undefined = no cache. */
    cacheDir?: string;
    /** Files with more data than this are checked on two threads (default 64 MB). */
    splitAboveBytes?: number;
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
 * The interactions minimums across files. A file that alone has enough users with two or more interactions settles
 * the question; otherwise per-user counts of the files are merged, since one user's interactions may be spread
 * over several files.
 */
class InteractionTotals {
    rows = 0;
    bytes = 0;
    files: FileReport[] = [];
    private usersSettled = false;
    private merged = new IdCounter(MAX_USER_SLOTS);

    add(report: FileReport, users: IdCounter | undefined): void {
        this.files.push(report);
        this.rows += report.rows;
        this.bytes += report.bytes;
        if (this.usersSettled) return;
        if (report.usersWithTwoOrMore >= LIMITS.minUsers) {
            this.usersSettled = true;
            this.merged = new IdCounter(MAX_USER_SLOTS, 1); // the merged counts are no longer needed
        } else if (users) {
            this.merged.merge(users);
        }
    }

    problems(): Problem[] {
        const first = this.files[0];
        if (!first) return [];
        const at = (finding: [string, string]): Problem => ({ path: first.path, line: 0, rule: finding[0], message: finding[1] });
        const found: Problem[] = [];
        if (this.bytes > LIMITS.fullImportBytes) found.push(at(RULES.importTooLarge(this.bytes)));
        // Without the data rows of every file the counts would be wrong, so minimums are only judged on full checks.
        if (this.files.some(f => f.headerOnly)) return found;
        if (this.rows < LIMITS.minInteractions) found.push(at(RULES.interactionsTooFew(this.rows, this.files.length)));
        if (!this.usersSettled && this.merged.atLeastTwice < LIMITS.minUsers) {
            found.push(at(RULES.interactionsTooFewUsers(this.merged.atLeastTwice, this.merged.capped)));
        }
        return found;
    }
}

/**
 * Checks CSV files before they are uploaded for Personalize import. Files are checked one after the other (a large
 * file uses both cores itself); cross-file problems are reported on the first interactions file at line 0.
 */
export async function checkDataFiles(files: DataFile[], options: CheckOptions = {}): Promise<DataReport> {
    const maxProblems = options.maxProblemsPerFile ?? 20;
    const splitAboveBytes = options.splitAboveBytes ?? 64 * 1024 * 1024;
    const cache = options.cacheDir === undefined ? undefined : new ResultCache(options.cacheDir);
    const schemas = new Map<string, Promise<LoadedSchema>>();
    const totals = new InteractionTotals();
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
            headerOnly,
        });
        let result: CachedResult | undefined = cache && key ? await cache.get(file.path, key) : undefined;
        if (!result) {
            result = await checkFile(file, {
                maxProblems,
                headerOnly,
                splitAboveBytes,
                schema: loaded.schema,
                schemaProblem: loaded.problem,
            });
            const keepUsers = file.datasetType === "interactions" && result.report.usersWithTwoOrMore < LIMITS.minUsers;
            if (cache && key) await cache.set(file.path, key, { report: result.report, users: keepUsers ? result.users : undefined });
        }
        reports.push(result.report);
        if (file.datasetType === "interactions") totals.add(result.report, result.users);
    }

    const problems = totals.problems();
    const ok = problems.length === 0 && reports.every(r => r.problems.length === 0 && r.truncatedProblems === 0);
    return { files: reports, problems, ok };
}
