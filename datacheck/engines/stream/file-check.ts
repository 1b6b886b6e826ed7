import { DataFile } from "../../rules/dataset-type";
import { ColumnPlan, HeaderField, RuleFinding, checkHeader } from "../../rules/header";
import { IdCounter, MAX_ITEM_SLOTS, MAX_USER_SLOTS } from "./id-counter";
import { lineBreakCuts, scanSplit } from "./parallel-scan";
import { RangeRequest, RangeResult, scanRange } from "./range-scan";
import { FileReport, ProblemList } from "../../report";
import { RULES } from "../../rules/table";
import { DatasetSchema } from "../../rules/schema";
import { openSource } from "../../sources/source";
import {
    FIELD_QUOTED,
    FieldBounds,
    MAX_RECORD_BYTES,
    RECORD_INVALID_UTF8,
    RECORD_TOO_LONG,
    RECORD_QUOTED_LINE_BREAK,
    RECORD_UNCLOSED_QUOTE,
    RecordScanner,
    decodeQuotedField,
} from "./scanner";

export interface FileCheckSettings {
    maxProblems: number;
    linesPerProblem: number;
    headerOnly: boolean;
    splitAboveBytes: number;
    /** Threads a file over splitAboveBytes is checked on (this one and workers). */
    threads: number;
    schema?: DatasetSchema;
    /** A problem with the schema file, reported with this file's problems. */
    schemaProblem?: [rule: string, message: string, schemaPath: string];
}

export interface FileCheckResult {
    report: FileReport;
    /** Per-user occurrence counts, for the interactions minimums across files. */
    users: IdCounter;
}

const BOM = Buffer.from([0xef, 0xbb, 0xbf]);

interface ParsedHeader {
    fields: HeaderField[];
    /** Offset of the first data record. */
    end: number;
    flags: number;
    bom: boolean;
    /** The header line as text, without the byte-order mark and the line break. */
    text: string;
}

/** Reads and scans the first record (the header) of a file. Undefined when the file has no bytes besides a BOM. */
async function readHeader(path: string, size: number): Promise<ParsedHeader | undefined> {
    const file = await openSource(path);
    try {
        const buf = Buffer.alloc(Math.min(size, MAX_RECORD_BYTES));
        const bytesRead = await file.read(buf, 0, buf.length, 0);
        const bom = buf.subarray(0, 3).equals(BOM);
        const start = bom ? 3 : 0;
        if (bytesRead <= start) return undefined;
        let header: ParsedHeader | undefined;
        const scanner = new RecordScanner(
            {
                record(b: Buffer, fields: FieldBounds, _line: number, flags: number) {
                    const names: HeaderField[] = [];
                    for (let i = 0; i < fields.count; i++) {
                        const quoted = (fields.flags[i] & FIELD_QUOTED) !== 0;
                        const raw = quoted
                            ? decodeQuotedField(b, fields.starts[i], fields.ends[i])
                            : b.subarray(fields.starts[i], fields.ends[i]);
                        names.push({ name: raw.toString("utf8"), quoted });
                    }
                    header = { fields: names, end: 0, flags, bom, text: "" };
                },
            },
            1,
        );
        scanner.validateEachRecord = true;
        const end = scanner.scan(buf, start, bytesRead, start + 1, bytesRead === size);
        if (header) Object.assign(header, { end, text: buf.toString("utf8", start, end).replace(/\r?\n$|\r$/, "") });
        return header ?? { fields: [], end: bytesRead, flags: -1, bom, text: "" };
    } finally {
        await file.close();
    }
}

/** What the first bytes of a file decide, read once: the header's findings and the plan for the data rows. */
export interface FileStart {
    /** Findings about the file and its header, all on line 1. */
    findings: RuleFinding[];
    /** The per-row work, when the header allows the rows to be checked. */
    plan?: ColumnPlan;
    /** Offset of the first data record. */
    dataStart: number;
    /** The header line as a line reader gives it: no byte-order mark, no line break. */
    headerText: string;
}

/**
 * The file stage: BOM, header quoting and names, required and metadata columns, from one read of the file's first
 * MAX_RECORD_BYTES (a ranged read for an object). Every engine runs it; the stream engine then checks the rows
 * from dataStart, the SQL engines give the plan and the header text to their queries.
 */
export async function checkFileStart(file: DataFile, size: number, schema?: DatasetSchema): Promise<FileStart> {
    const header = await readHeader(file.path, size);
    if (!header) return { findings: [RULES.headerMissing()], dataStart: size, headerText: "" };
    const findings: RuleFinding[] = header.bom ? [RULES.headerBom()] : [];
    const base = { dataStart: header.end, headerText: header.text };
    if (header.flags === -1 || header.flags & RECORD_TOO_LONG)
        return { ...base, findings: [...findings, RULES.recordTooLong(MAX_RECORD_BYTES)] };
    if (header.flags & RECORD_UNCLOSED_QUOTE) return { ...base, findings: [...findings, RULES.unclosedQuote()] };
    if (header.flags & RECORD_INVALID_UTF8) return { ...base, findings: [...findings, RULES.invalidUtf8()] };
    if (header.flags & RECORD_QUOTED_LINE_BREAK) return { ...base, findings: [...findings, RULES.quotedLineBreak()] };
    const checked = checkHeader(header.fields, file.datasetType, schema);
    return { ...base, findings: [...findings, ...checked.findings], plan: checked.plan };
}

/** Checks one data file of `size` bytes (the caller knows it: a file's stat, an object's listing). */
export async function checkFile(file: DataFile, size: number, settings: FileCheckSettings): Promise<FileCheckResult> {
    const started = process.hrtime.bigint();
    const problems = new ProblemList(file.path, settings.maxProblems, settings.linesPerProblem);
    if (settings.schemaProblem) {
        const [rule, message, schemaPath] = settings.schemaProblem;
        problems.addEntry({ path: schemaPath, rule, message });
    }

    let result: RangeResult | undefined;
    let threads = 1;
    const start = await checkFileStart(file, size, settings.schema);
    const plan = start.plan;
    for (const [rule, message] of start.findings) problems.add(1, rule, message);
    if (plan && !settings.headerOnly) {
        const request: RangeRequest = {
            path: file.path,
            start: start.dataStart,
            stop: size,
            size,
            firstLine: 2,
            plan,
            maxProblems: settings.maxProblems,
            linesPerProblem: settings.linesPerProblem,
        };
        const cuts =
            size - start.dataStart > settings.splitAboveBytes
                ? await lineBreakCuts(file.path, start.dataStart, size, settings.threads)
                : [];
        threads = cuts.length + 1;
        result = cuts.length === 0 ? await scanRange(request) : await scanSplit(request, cuts);
    }
    for (const p of result?.problems ?? []) problems.addEntry(p);
    const users = result?.users ?? new IdCounter(MAX_USER_SLOTS);
    const items = result?.items ?? new IdCounter(MAX_ITEM_SLOTS);
    return {
        report: {
            path: file.path,
            datasetType: file.datasetType,
            rows: result?.rows ?? 0,
            users: users.size,
            items: items.size,
            usersWithTwoOrMore: users.atLeastTwice,
            usersCapped: users.capped,
            itemsCapped: items.capped,
            eventTypes: result?.eventTypes ?? [],
            eventTypeQuotaFields: plan?.eventTypeQuotaFields ?? [],
            bytes: size,
            seconds: Number(process.hrtime.bigint() - started) / 1e9,
            headerOnly: settings.headerOnly,
            threads,
            cached: false,
            problems: problems.problems,
            truncatedProblems: problems.truncated + (result?.truncatedProblems ?? 0),
        },
        users,
    };
}
