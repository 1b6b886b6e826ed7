import { DataFile } from "../../rules/dataset-type";
import { ColumnPlan, HeaderField, checkHeader } from "../../rules/header";
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
                    header = { fields: names, end: 0, flags, bom };
                },
            },
            1,
        );
        scanner.validateEachRecord = true;
        const end = scanner.scan(buf, start, bytesRead, start + 1, bytesRead === size);
        if (header) header.end = end;
        return header ?? { fields: [], end: bytesRead, flags: -1, bom };
    } finally {
        await file.close();
    }
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
    let plan: ColumnPlan | undefined;
    const header = await readHeader(file.path, size);
    if (!header) {
        problems.add(1, ...RULES.headerMissing());
    } else {
        if (header.bom) problems.add(1, ...RULES.headerBom());
        if (header.flags === -1 || header.flags & RECORD_TOO_LONG) problems.add(1, ...RULES.recordTooLong(MAX_RECORD_BYTES));
        else if (header.flags & RECORD_UNCLOSED_QUOTE) problems.add(1, ...RULES.unclosedQuote());
        else if (header.flags & RECORD_INVALID_UTF8) problems.add(1, ...RULES.invalidUtf8());
        else if (header.flags & RECORD_QUOTED_LINE_BREAK) problems.add(1, ...RULES.quotedLineBreak());
        else {
            const checked = checkHeader(header.fields, file.datasetType, settings.schema);
            const findings = checked.findings;
            plan = checked.plan;
            for (const [rule, message] of findings) problems.add(1, rule, message);
            if (!settings.headerOnly) {
                const request: RangeRequest = {
                    path: file.path,
                    start: header.end,
                    stop: size,
                    size,
                    firstLine: 2,
                    plan,
                    maxProblems: settings.maxProblems,
                    linesPerProblem: settings.linesPerProblem,
                };
                const cuts =
                    size - header.end > settings.splitAboveBytes ? await lineBreakCuts(file.path, header.end, size, settings.threads) : [];
                threads = cuts.length + 1;
                result = cuts.length === 0 ? await scanRange(request) : await scanSplit(request, cuts);
            }
        }
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
            metadataColumns: plan?.metadataColumns ?? 0,
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
