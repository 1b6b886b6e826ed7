/**
 * Checks data files with an SQL engine (DuckDB locally, Athena over S3): the file stage reads each file's first
 * bytes (engines/stream/file-check.ts, as the stream engine does), then one query per dataset checks every line of
 * its files (query.ts), and the rows it returns become the same report as the stream engine's, with row counts and
 * example values instead of line numbers.
 */
import { LoadedSchema, loadSchemaOnce } from "../../check";
import { DataFile, DatasetType } from "../../rules/dataset-type";
import { VALUE_RULES } from "../../rules/value-rules";
import { RULES } from "../../rules/table";
import { FileReport, Problem } from "../../report";
import { MAX_RECORD_BYTES } from "../stream/scanner";
import { FileStart, checkFileStart } from "../stream/file-check";
import { Dialect } from "./dialect";
import { DatasetQuery, FileGroup, Slot, datasetQuery } from "./query";

export type SqlValue = string | number | bigint | boolean | null;
export type SqlRow = Record<string, SqlValue>;

export interface SqlEngine {
    dialect: Dialect;
    /** Runs one dataset's query and returns its rows. */
    run(sql: string, type: DatasetType): Promise<SqlRow[]>;
}

export interface SizedDataFile extends DataFile {
    size: number;
}

/** What the query of one dataset found, beyond per-file findings: the inputs of the dataset-wide rules. */
export interface DatasetCounts {
    type: DatasetType;
    rows: number;
    /** Item interactions: distinct users, those with two or more interactions, distinct event types (the first 64, sorted). */
    users: number;
    usersWithTwoOrMore: number;
    eventTypes: string[];
    eventTypeCount: number;
}

export interface SqlCheckResult {
    files: FileReport[];
    datasets: DatasetCounts[];
    queries: Array<{ type: DatasetType; sql: string }>;
}

export interface SqlCheckOptions {
    maxProblemsPerFile?: number;
    /** Generate the queries without running them. */
    queriesOnly?: boolean;
}

interface StartedFile {
    file: SizedDataFile;
    start: FileStart;
    schema: LoadedSchema;
}

/** Files of one dataset with one header line share a group, and so one column plan in the query. */
function fileGroups(files: StartedFile[]): FileGroup[] {
    const groups = new Map<string, FileGroup>();
    for (const { file, start } of files) {
        if (!start.plan) continue;
        const key = JSON.stringify([start.headerText, start.plan]);
        const group = groups.get(key) ?? { headerText: start.headerText, plan: start.plan, paths: [] };
        group.paths.push(file.path);
        groups.set(key, group);
    }
    return [...groups.values()];
}

export async function checkWithSql(files: SizedDataFile[], engine: SqlEngine, options: SqlCheckOptions = {}): Promise<SqlCheckResult> {
    const maxProblems = options.maxProblemsPerFile ?? 20;
    const schemas = new Map<string, Promise<LoadedSchema>>();
    const started: StartedFile[] = [];
    for (const file of files) {
        const schema = file.schemaPath === undefined ? {} : await loadSchemaOnce(schemas, file.schemaPath);
        started.push({ file, schema, start: await checkFileStart(file, file.size, schema.schema) });
    }

    const types = [...new Set(files.map(f => f.datasetType))];
    const queries: Array<{ type: DatasetType; query: DatasetQuery; groups: FileGroup[] }> = [];
    for (const type of types) {
        const groups = fileGroups(started.filter(s => s.file.datasetType === type));
        if (groups.length > 0) queries.push({ type, groups, query: datasetQuery(engine.dialect, type, groups) });
    }
    const sql = queries.map(({ type, query }) => ({ type, sql: query.sql }));
    if (options.queriesOnly) return { files: [], datasets: [], queries: sql };

    const reports = new Map<string, FileReport>();
    for (const { file, start, schema } of started) {
        const problems: Problem[] = [];
        if (schema.problem) problems.push({ path: schema.problem[2], rule: schema.problem[0], message: schema.problem[1] });
        for (const [rule, message] of start.findings) problems.push({ path: file.path, line: 1, rule, message });
        reports.set(file.path, fileReport(file, problems));
    }
    const datasets: DatasetCounts[] = [];
    for (const type of types) {
        const planned = queries.find(q => q.type === type);
        // A dataset none of whose files has a usable header has no rows: still judged, as by the stream engine.
        if (!planned) datasets.push({ type, rows: 0, users: 0, usersWithTwoOrMore: 0, eventTypes: [], eventTypeCount: 0 });
        else datasets.push(readRows(await engine.run(planned.query.sql, type), planned.query.slots, planned.groups, type, reports));
    }
    for (const report of reports.values()) {
        report.truncatedProblems = report.problems.slice(maxProblems).reduce((sum, p) => sum + (p.rows ?? 1), 0);
        report.problems = report.problems.slice(0, maxProblems);
    }
    return { files: [...reports.values()], datasets, queries: sql };
}

function fileReport(file: SizedDataFile, problems: Problem[]): FileReport {
    return {
        path: file.path,
        datasetType: file.datasetType,
        rows: 0,
        users: 0,
        items: 0,
        usersWithTwoOrMore: 0,
        usersCapped: false,
        itemsCapped: false,
        eventTypes: [],
        eventTypeQuotaFields: [],
        bytes: file.size,
        seconds: 0,
        threads: 1,
        headerOnly: false,
        cached: false,
        problems,
        truncatedProblems: 0,
    };
}

const num = (value: SqlValue | undefined) => (value === null || value === undefined ? 0 : Number(value));
const text = (value: SqlValue | undefined) => (value === null || value === undefined ? undefined : String(value));

/** The query's rows as findings on each file's report, and the dataset's counts. */
function readRows(rows: SqlRow[], slots: Slot[], groups: FileGroup[], type: DatasetType, reports: Map<string, FileReport>): DatasetCounts {
    const counts: DatasetCounts = { type, rows: 0, users: 0, usersWithTwoOrMore: 0, eventTypes: [], eventTypeCount: 0 };
    const groupOf = new Map(groups.flatMap((g, i) => g.paths.map(p => [p, i] as const)));
    for (const row of rows) {
        if (row.kind === "users") {
            counts.users = num(row.users);
            counts.usersWithTwoOrMore = num(row.users_two_or_more);
        } else if (row.kind === "events") {
            counts.eventTypeCount = num(row.event_types);
            counts.eventTypes = JSON.parse(text(row.event_type_list) ?? "[]") as string[];
        } else {
            const path = String(row.path);
            const report = reports.get(path);
            const group = groupOf.get(path);
            if (!report || group === undefined) throw new Error(`the query returned a file it was not asked about: ${path}`);
            report.rows = num(row.rows);
            counts.rows += report.rows;
            report.eventTypeQuotaFields = groups[group].plan.eventTypeQuotaFields;
            // Columns of one name (a duplicated header name) are one finding, as in the stream engine's report.
            const byRule = new Map<string, Problem>();
            slots.forEach((slot, i) => {
                // Every copy of the header line breaks the same rules; one of them is the header itself.
                const hits = num(row[`s${i}_rows`]) - (num(row[`s${i}_headers`]) > 0 ? 1 : 0);
                if (hits <= 0) return;
                const example = text(row[`s${i}_min`]) ?? groups[group].headerText;
                const problem = { ...finding(slot, example, hits, num(row.quoted_lines), groups[group]), path, rows: hits };
                const key = `${problem.rule}\0${problem.column}`;
                const known = byRule.get(key);
                if (known) known.rows! += hits;
                else byRule.set(key, problem);
            });
            report.problems.push(...byRule.values());
        }
    }
    return counts;
}

function finding(slot: Slot, example: string, rows: number, quotedLines: number, group: FileGroup): Omit<Problem, "path"> {
    const [rule, message] =
        slot.kind === "value"
            ? slot.rule === VALUE_RULES[slot.column.kind].empty("")[0]
                ? VALUE_RULES[slot.column.kind].empty(slot.column.name)
                : VALUE_RULES[slot.column.kind].rules.find(r => r.rule === slot.rule)!.finding(slot.column.name, example)
            : lineFinding(slot.rule, example, rows, quotedLines, group);
    return { rule, message, column: slot.kind === "value" ? slot.column.name : "" };
}

function lineFinding(rule: string, example: string, rows: number, quotedLines: number, group: FileGroup): [string, string] {
    switch (rule) {
        case "record-too-long":
            return RULES.recordTooLong(MAX_RECORD_BYTES);
        case "quote-open":
            // A quote a line leaves open is closed by a later line (a quoted line break) or by none (unclosed). Without
            // line order that is known only when no other line has a quote that could close it.
            return rows === 1 && quotedLines === 0 ? RULES.unclosedQuote() : RULES.quotedLineBreak();
        case "invalid-utf8":
            return RULES.invalidUtf8();
        case "blank-line":
            return RULES.blankLine();
        default:
            return RULES.fieldCount(group.plan.fieldCount, Number(example));
    }
}
