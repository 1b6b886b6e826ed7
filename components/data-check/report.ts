import { DatasetType } from "./dataset-type";

/** One finding, printed as `path:line: rule: message`. Line 0 means the finding is about the whole file or several files. */
export interface Problem {
    path: string;
    line: number;
    rule: string;
    message: string;
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
    bytes: number;
    seconds: number;
    /** Threads the rows were checked on: 2 when the file was split (splitAboveBytes), else 1. */
    threads: number;
    headerOnly: boolean;
    cached: boolean;
    problems: Problem[];
    /** Problems found beyond maxProblemsPerFile and left out of `problems`. */
    truncatedProblems: number;
}

export interface DataReport {
    files: FileReport[];
    /** Findings about several files together: interactions minimums and the FULL import size limit. */
    problems: Problem[];
    ok: boolean;
}

export function formatProblem(p: Problem): string {
    return `${p.path}:${p.line}: ${p.rule}: ${p.message}`;
}

/** Keeps the first `max` problems of a file and counts the rest. */
export class ProblemList {
    readonly problems: Problem[] = [];
    truncated = 0;

    constructor(
        private readonly path: string,
        private readonly max: number,
    ) {}

    add(line: number, rule: string, message: string): void {
        if (this.problems.length < this.max) this.problems.push({ path: this.path, line, rule, message });
        else this.truncated++;
    }

    get total(): number {
        return this.problems.length + this.truncated;
    }
}
