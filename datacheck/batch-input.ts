import { isUtf8 } from "buffer";
import { promises as fs } from "fs";
import { Problem, ProblemList, plural } from "./report";
import { LIMITS, RULES } from "./rules/table";

/*
 * Checks the input files of batch inference jobs (JSON Lines) before they are uploaded, as
 * https://docs.aws.amazon.com/personalize/latest/dg/batch-data-upload.html describes them: one JSON object per line,
 * {"userId"} (USER_PERSONALIZATION, Popularity-Count), {"itemId"} (RELATED_ITEMS) or {"userId", "itemList"}
 * (PERSONALIZED_RANKING), each optionally with "filterValues", a map of a filter's placeholder parameters to string
 * values (https://docs.aws.amazon.com/personalize/latest/dg/filter-batch.html). A file is one recipe's input, so it
 * holds one of those shapes throughout.
 */

const SHAPES: Record<string, string> = { userId: '{"userId"}', itemId: '{"itemId"}', "itemList,userId": '{"userId", "itemList"}' };

export interface BatchInputFileReport {
    path: string;
    records: number;
    /** The shape of its records, e.g. {"userId"}; undefined when no record had a known one. */
    shape?: string;
    bytes: number;
    problems: Problem[];
    truncatedProblems: number;
}

export interface BatchInputReport {
    files: BatchInputFileReport[];
    /** Findings about the files together: the limits of one batch inference job's input. */
    problems: Problem[];
    ok: boolean;
}

/** One record's problems (rule, message and the field of an ID rule), and its shape when it has a known one. */
function checkRecord(record: unknown): { shape?: string; problems: Array<[rule: string, message: string, field?: string]> } {
    if (typeof record !== "object" || record === null || Array.isArray(record)) {
        return { problems: [RULES.batchNotObject(record === null ? "null" : Array.isArray(record) ? "an array" : `a ${typeof record}`)] };
    }
    const fields = record as Record<string, unknown>;
    const keys = Object.keys(fields)
        .filter(k => k !== "filterValues")
        .sort();
    const shape = SHAPES[keys.join(",")];
    if (!shape) return { problems: [RULES.batchShape(Object.keys(fields))] };
    const problems: Array<[string, string, string?]> = [];
    for (const key of ["userId", "itemId"]) {
        if (!(key in fields)) continue;
        const id = fields[key];
        if (typeof id !== "string") problems.push([...RULES.batchIdType(key, JSON.stringify(id)), key]);
        else if (id === "") problems.push([...RULES.idEmpty(key), key]);
        else if ([...id].length > LIMITS.idCharacters) problems.push([...RULES.idTooLong(key, [...id].length), key]);
    }
    if ("itemList" in fields) {
        const list = fields.itemList;
        if (!Array.isArray(list) || list.length === 0 || !list.every(i => typeof i === "string" && i !== ""))
            problems.push(RULES.batchItemList());
        else {
            const longest = Math.max(...list.map(i => [...(i as string)].length));
            if (longest > LIMITS.idCharacters) problems.push(RULES.idTooLong("an itemList ID", longest));
        }
    }
    if ("filterValues" in fields) {
        const values = fields.filterValues;
        const ok =
            typeof values === "object" &&
            values !== null &&
            !Array.isArray(values) &&
            Object.values(values).every(v => typeof v === "string");
        if (!ok) problems.push(RULES.batchFilterValues());
    }
    return { shape, problems };
}

/** Checks one JSON Lines file, streaming it line by line. */
async function checkBatchInputFile(path: string, maxProblems: number, linesPerProblem: number): Promise<BatchInputFileReport> {
    const list = new ProblemList(path, maxProblems, linesPerProblem);
    const file = await fs.open(path, "r");
    const { size } = await file.stat();
    let records = 0;
    let shape: string | undefined;
    let lineNumber = 0;
    const checkLine = (bytes: Buffer) => {
        lineNumber++;
        const line = bytes.length > 0 && bytes[bytes.length - 1] === 0x0d ? bytes.subarray(0, bytes.length - 1) : bytes;
        if (line.length === 0) return list.addRow(lineNumber, ...RULES.blankLine());
        records++;
        if (!isUtf8(line)) return list.addRow(lineNumber, ...RULES.invalidUtf8());
        let record: unknown;
        try {
            record = JSON.parse(line.toString("utf8"));
        } catch (e) {
            // V8 says where parsing failed ("… at position 22"), in words that vary between Node versions.
            const position = /position (\d+)/.exec((e as Error).message);
            return list.addRow(lineNumber, ...RULES.batchJson(position ? Number(position[1]) + 1 : undefined));
        }
        const checked = checkRecord(record);
        for (const [rule, message, field] of checked.problems) list.addRow(lineNumber, rule, message, field);
        if (checked.shape === undefined) return;
        if (shape === undefined) shape = checked.shape;
        else if (checked.shape !== shape) list.addRow(lineNumber, ...RULES.batchShapeMixed(checked.shape, shape));
    };
    try {
        const buf = Buffer.alloc(1 << 20);
        let carried = Buffer.alloc(0);
        for (let offset = 0; offset < size;) {
            const { bytesRead } = await file.read(buf, 0, buf.length, offset);
            if (bytesRead === 0) break;
            offset += bytesRead;
            const chunk = carried.length > 0 ? Buffer.concat([carried, buf.subarray(0, bytesRead)]) : buf.subarray(0, bytesRead);
            let start = 0;
            for (let lf = chunk.indexOf(0x0a); lf >= 0; lf = chunk.indexOf(0x0a, start)) {
                checkLine(chunk.subarray(start, lf));
                start = lf + 1;
            }
            carried = Buffer.from(chunk.subarray(start));
        }
        if (carried.length > 0) checkLine(carried); // a last line without a line break
    } finally {
        await file.close();
    }
    if (records === 0) list.add(undefined, ...RULES.batchEmpty());
    if (records > LIMITS.batchRecordsPerFile) list.add(undefined, ...RULES.batchTooManyRecords(records));
    return { path, records, shape, bytes: size, problems: list.problems, truncatedProblems: list.truncated };
}

/** Checks the batch input files of one job's input folder, one after the other. */
export async function checkBatchInputFiles(
    paths: string[],
    options: { maxProblemsPerFile?: number; linesPerProblem?: number } = {},
): Promise<BatchInputReport> {
    const files: BatchInputFileReport[] = [];
    for (const path of paths) files.push(await checkBatchInputFile(path, options.maxProblemsPerFile ?? 20, options.linesPerProblem ?? 5));
    const problems = batchInputLimits(files);
    const ok = problems.length === 0 && files.every(f => f.problems.length === 0 && f.truncatedProblems === 0);
    return { files, problems, ok };
}

/** The limits of one batch inference job's input, over the sizes of its files. */
export function batchInputLimits(files: Array<{ bytes: number }>): Problem[] {
    const path = `batch input (${plural(files.length, "file")})`;
    const problems: Problem[] = [];
    const add = ([rule, message]: [string, string]) => problems.push({ path, rule, message });
    const bytes = files.reduce((total, f) => total + f.bytes, 0);
    if (bytes > LIMITS.batchInputBytes) add(RULES.batchInputTooLarge(bytes));
    if (files.length > LIMITS.batchInputFiles) add(RULES.batchInputTooManyFiles(files.length));
    return problems;
}
