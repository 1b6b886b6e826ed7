import { DatasetType } from "./rules/dataset-type";

/**
 * One finding, printed as `path:line: rule: message`. A finding about a whole file has no line; one about a dataset
 * as a whole names the dataset and its files as its path. A rule broken on many rows of a file (for a value rule:
 * in the same column) is one finding: `line` is the first row, `rows` counts them and `lines` lists the first few.
 */
export interface Problem {
    path: string;
    line?: number;
    rule: string;
    message: string;
    /** Row findings only: the column of a value rule ("" for a rule about the whole record). */
    column?: string;
    rows?: number;
    lines?: number[];
}

export interface FileReport {
    path: string;
    datasetType: DatasetType;
    /** Data records (the header excluded). */
    rows: number;
    /** Distinct USER_ID values; a lower bound when usersCapped. */
    users: number;
    /** Distinct ITEM_ID values; a lower bound when itemsCapped. */
    items: number;
    /** Distinct users with at least two records in this file (interactions). */
    usersWithTwoOrMore: number;
    usersCapped: boolean;
    itemsCapped: boolean;
    /** Item interactions: distinct EVENT_TYPE values (the first 64). */
    eventTypes: string[];
    /** Item interactions: the header's optional fields that count with the event types toward their quota. */
    eventTypeQuotaFields: string[];
    bytes: number;
    seconds: number;
    /** Threads the rows were checked on: more than 1 when the file was split (splitAboveBytes, threads). */
    threads: number;
    headerOnly: boolean;
    cached: boolean;
    problems: Problem[];
    /** Problems found beyond maxProblemsPerFile and left out of `problems`. */
    truncatedProblems: number;
}

export interface DataReport {
    files: FileReport[];
    /** Findings about several files together: interactions minimums and quotas, and the FULL import size limit. */
    problems: Problem[];
    ok: boolean;
}

/** Every finding of a report (CSV or batch input), one line each, and a line per file whose findings were cut off. */
export function formatReport(report: {
    files: Array<{ path: string; problems: Problem[]; truncatedProblems: number }>;
    problems: Problem[];
}): string[] {
    const lines = report.files.flatMap(file => [
        ...file.problems.map(formatProblem),
        ...(file.truncatedProblems > 0 ? [`${file.path}: ${plural(file.truncatedProblems, "more problem")} not shown`] : []),
    ]);
    return [...lines, ...report.problems.map(formatProblem)];
}

/** 1 → "1 record", 1200 → "1,200 records". */
export function plural(n: number, noun: string, nouns = `${noun}s`): string {
    return `${n.toLocaleString("en-US")} ${n === 1 ? noun : nouns}`;
}

export function formatProblem(p: Problem): string {
    const where = p.line === undefined ? p.path : `${p.path}:${p.line}`;
    const rows = p.rows ?? 1;
    const more = p.lines && rows > p.lines.length ? ` and ${(rows - p.lines.length).toLocaleString("en-US")} more` : "";
    // An engine that can't number lines (the SQL engines) gives the rows without them.
    const on =
        rows <= 1
            ? ""
            : p.lines
              ? ` (${plural(rows, "row")}: lines ${p.lines.map(l => l.toLocaleString("en-US")).join(", ")}${more})`
              : ` (${plural(rows, "row")})`;
    return `${where}: ${p.rule}: ${p.message}${on}`;
}

/**
 * Keeps the first `max` findings of a file and counts the rest. Row findings of the same rule (and column) are
 * grouped into one, which keeps the first `linesPerProblem` line numbers.
 */
export class ProblemList {
    readonly problems: Problem[] = [];
    /** Findings (rows) left out because `max` were already listed. */
    truncated = 0;
    private readonly groups = new Map<string, Problem>();

    constructor(
        private readonly path: string,
        private readonly max: number,
        private readonly linesPerProblem: number,
    ) {}

    /** A finding about the file or its header. */
    add(line: number | undefined, rule: string, message: string): void {
        if (this.problems.length < this.max) this.problems.push({ path: this.path, line, rule, message });
        else this.truncated++;
    }

    /** A finding about a data row; `column` is "" for a rule about the whole record. */
    addRow(line: number, rule: string, message: string, column = ""): void {
        this.addEntry({ path: this.path, line, rule, message, column, rows: 1, lines: [line] });
    }

    /** Adds a finding of another list of the same file (a later byte range, or a range's result). */
    addEntry(p: Problem): void {
        if (p.rows === undefined) {
            if (this.problems.length < this.max) this.problems.push(p);
            else this.truncated++;
            return;
        }
        const key = `${p.rule}\0${p.column}`;
        const group = this.groups.get(key);
        if (group) {
            group.rows! += p.rows;
            group.lines!.push(...p.lines!.slice(0, this.linesPerProblem - group.lines!.length)); // never over linesPerProblem
        } else if (this.problems.length < this.max) {
            const entry = { ...p, lines: p.lines!.slice(0, this.linesPerProblem) };
            this.groups.set(key, entry);
            this.problems.push(entry);
        } else {
            this.truncated += p.rows;
        }
    }
}
