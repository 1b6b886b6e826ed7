import { isUtf8 } from "buffer";
import { ColumnPlan } from "../../rules/header";
import { IdCounter } from "./id-counter";
import { Problem, ProblemList } from "../../report";
import { RowChecker } from "./row-checker";
import { MAX_RECORD_BYTES, RecordScanner } from "./scanner";
import { SourceReader, openSource } from "../../sources/source";

/** Bytes per read: large reads keep syscalls rare; one buffer is reused for the whole range. */
const READ_BYTES = 2 << 20;

export interface RangeRequest {
    path: string;
    /** Byte offset of the first record to check. */
    start: number;
    /** Records starting at or after this offset are left to the next range. */
    stop: number;
    /** The file size (the range may read past `stop` to finish a record that spans lines). */
    size: number;
    firstLine: number;
    plan: ColumnPlan;
    maxProblems: number;
    linesPerProblem: number;
}

export interface RangeResult {
    rows: number;
    problems: Problem[];
    truncatedProblems: number;
    /** Offset and line where checking stopped: `stop` unless a record starting before it ran past it. */
    nextOffset: number;
    nextLine: number;
    users: IdCounter;
    items: IdCounter;
    eventTypes: string[];
}

/** Checks the data records of one byte range of a file, streaming it through a single reused buffer. */
export async function scanRange(request: RangeRequest): Promise<RangeResult> {
    const { path, start, stop, size } = request;
    const problems = new ProblemList(path, request.maxProblems, request.linesPerProblem);
    const checker = new RowChecker(request.plan, problems);
    const scanner = new RecordScanner(checker, request.firstLine);
    const buf = Buffer.allocUnsafe(READ_BYTES + MAX_RECORD_BYTES);
    const file = await openSource(path);
    let base = start; // file offset of buf[0]
    let carried = 0; // bytes of an unfinished record kept at the front of buf
    try {
        for (;;) {
            const bytesRead = await file.read(buf, carried, READ_BYTES, base + carried);
            const end = carried + bytesRead;
            const eof = bytesRead === 0 || base + end >= size;
            scanner.validateEachRecord = !isUtf8(buf.subarray(0, end));
            const consumed = scanner.scan(buf, 0, end, stop - base, eof);
            if (eof || base + consumed >= stop) {
                base += consumed;
                break;
            }
            carried = end - consumed;
            if (carried > MAX_RECORD_BYTES) {
                // Too long to carry over to the next read: report it and resume after the first line break in it.
                checker.recordTooLong(scanner.line);
                base = await offsetAfterNextLineBreak(file, buf, base + consumed, size);
                scanner.line++;
                carried = 0;
                continue;
            }
            buf.copy(buf, 0, consumed, end);
            base += consumed;
        }
    } finally {
        await file.close();
    }
    checker.users.flush();
    checker.items.flush();
    return {
        rows: checker.rows,
        problems: problems.problems,
        truncatedProblems: problems.truncated,
        nextOffset: base,
        nextLine: scanner.line,
        users: checker.users,
        items: checker.items,
        eventTypes: checker.eventTypes,
    };
}

async function offsetAfterNextLineBreak(file: SourceReader, buf: Buffer, offset: number, size: number): Promise<number> {
    while (offset < size) {
        const bytesRead = await file.read(buf, 0, buf.length, offset);
        if (bytesRead === 0) break;
        const lf = buf.subarray(0, bytesRead).indexOf(0x0a);
        if (lf >= 0) return offset + lf + 1;
        offset += bytesRead;
    }
    return size;
}
