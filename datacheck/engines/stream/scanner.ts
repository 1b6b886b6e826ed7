import { isUtf8 } from "buffer";

/*
 * A byte-level CSV record scanner. It does what csv-parse does with the options
 * { relax_quotes: true, relax_column_count: true, record_delimiter: ['\n', '\r\n'] }, but records only where each
 * field starts and ends instead of building strings, which is what makes checking run near disk speed.
 * tests/datacheck/differential.spec.ts compares its verdicts with csv-parse's.
 *
 * Quoting: a field that starts with `"` is quoted; inside it `""` is one quote and commas and line breaks are data.
 * A quote that is not doubled ends the quoted part; as with csv-parse's relax_quotes, anything after it up to the
 * next comma is kept as literal text. A quote inside an unquoted field is literal text.
 */

const QUOTE = 0x22;
const COMMA = 0x2c;
const LF = 0x0a;
const CR = 0x0d;

/** Field flag: the raw bytes start with a quote; read the value with decodeQuotedField. */
export const FIELD_QUOTED = 1;

/** Record flags, in the order their rules take precedence. */
export const RECORD_TOO_LONG = 1;
export const RECORD_UNCLOSED_QUOTE = 2;
export const RECORD_INVALID_UTF8 = 4;
export const RECORD_QUOTED_LINE_BREAK = 8;

/** A record longer than this (almost always an unclosed quote) is reported as such, and not checked further. */
export const MAX_RECORD_BYTES = 1 << 20;

/** Raw byte bounds of the fields of the current record, reused for every record. */
export class FieldBounds {
    starts: Int32Array;
    ends: Int32Array;
    flags: Uint8Array;
    count = 0;

    constructor(capacity = 64) {
        this.starts = new Int32Array(capacity);
        this.ends = new Int32Array(capacity);
        this.flags = new Uint8Array(capacity);
    }

    push(start: number, end: number, flags: number): void {
        const i = this.count++;
        if (i === this.starts.length) this.grow();
        this.starts[i] = start;
        this.ends[i] = end;
        this.flags[i] = flags;
    }

    private grow(): void {
        const grown = (a: Int32Array) => {
            const b = new Int32Array(a.length * 2);
            b.set(a);
            return b;
        };
        this.starts = grown(this.starts);
        this.ends = grown(this.ends);
        const flags = new Uint8Array(this.flags.length * 2);
        flags.set(this.flags);
        this.flags = flags;
    }
}

export interface RecordVisitor {
    /** Called once per complete record; `buf` and `fields` are only valid during the call. */
    record(buf: Buffer, fields: FieldBounds, line: number, flags: number): void;
    /**
     * Optional fast path, tried first in chunks that are valid UTF-8: reads and visits the record at `start` if it
     * is a plain one (one line, no quoting) and returns the offset after it, or returns -1 to have it scanned here.
     */
    plainRecord?(buf: Buffer, start: number, end: number, line: number): number;
}

export class RecordScanner {
    /** The line the next record starts on. */
    line: number;
    /** Set when the current chunk is not valid UTF-8 as a whole, so each record is validated on its own. */
    validateEachRecord = false;
    private readonly fields = new FieldBounds();

    constructor(
        private readonly visitor: RecordVisitor,
        firstLine: number,
    ) {
        this.line = firstLine;
    }

    /**
     * Visits the complete records of buf[pos, end) that start before `stop` and returns the offset after the last.
     * Without `eof`, a record cut by `end` is left for the next call (with more bytes); at `eof` it is complete.
     */
    scan(buf: Buffer, pos: number, end: number, stop: number, eof: boolean): number {
        const plain = this.validateEachRecord ? undefined : this.visitor.plainRecord;
        while (pos < end && pos < stop) {
            if (plain !== undefined) {
                const next = plain.call(this.visitor, buf, pos, end, this.line);
                if (next >= 0) {
                    pos = next;
                    this.line++;
                    continue;
                }
            }
            const next = this.scanRecord(buf, pos, end, eof);
            if (next < 0) break;
            pos = next;
        }
        return pos;
    }

    /** Scans one record at `start`; returns the offset after its line break, or -1 if it is cut by `end`. */
    private scanRecord(buf: Buffer, start: number, end: number, eof: boolean): number {
        const fields = this.fields;
        fields.count = 0;
        let pos = start;
        let flags = 0;
        let quotedBreaks = 0;
        for (;;) {
            const fieldStart = pos;
            let fieldFlags = 0;
            if (pos < end && buf[pos] === QUOTE) {
                fieldFlags = FIELD_QUOTED;
                pos++;
                for (;;) {
                    while (pos < end) {
                        const c = buf[pos];
                        if (c === QUOTE) break;
                        if (c === LF) quotedBreaks++;
                        pos++;
                    }
                    if (pos === end) {
                        if (!eof) return -1;
                        flags |= RECORD_UNCLOSED_QUOTE;
                        break;
                    }
                    if (pos + 1 === end && !eof) return -1; // need the next byte to tell `""` from a closing quote
                    if (pos + 1 < end && buf[pos + 1] === QUOTE) {
                        pos += 2;
                        continue;
                    }
                    pos++; // closing quote; anything up to the delimiter is literal (relax_quotes)
                    break;
                }
            }
            while (pos < end) {
                const c = buf[pos];
                // One comparison for the common bytes: letters, digits and most punctuation sort after the comma.
                if (c <= COMMA && (c === COMMA || c === LF)) break;
                pos++;
            }
            if (pos === end && !eof) return -1;
            if (pos < end && buf[pos] === COMMA) {
                fields.push(fieldStart, pos, fieldFlags);
                pos++;
                continue;
            }
            let fieldEnd = pos;
            let lineBreaks = quotedBreaks;
            if (pos < end) {
                if (fieldEnd > fieldStart && buf[fieldEnd - 1] === CR) fieldEnd--; // CRLF record delimiter
                pos++;
                lineBreaks++;
            }
            fields.push(fieldStart, fieldEnd, fieldFlags);
            if (quotedBreaks > 0) flags |= RECORD_QUOTED_LINE_BREAK;
            if (pos - start > MAX_RECORD_BYTES) flags |= RECORD_TOO_LONG;
            if (this.validateEachRecord && !isUtf8(buf.subarray(start, pos))) flags |= RECORD_INVALID_UTF8;
            this.visitor.record(buf, fields, this.line, flags);
            this.line += lineBreaks;
            return pos;
        }
    }
}

/**
 * The value of a field whose raw bytes start with a quote, as csv-parse (relax_quotes) reads it: `""` is one quote;
 * a quote that closes the quoted part but is followed by more text keeps both quotes and the text verbatim.
 */
export function decodeQuotedField(buf: Buffer, start: number, end: number): Buffer {
    const out: number[] = [];
    for (let i = start + 1; i < end; i++) {
        const c = buf[i];
        if (c !== QUOTE) {
            out.push(c);
        } else if (i + 1 < end && buf[i + 1] === QUOTE) {
            out.push(QUOTE);
            i++;
        } else if (i + 1 === end) {
            break;
        } else {
            return Buffer.concat([Buffer.from([QUOTE]), Buffer.from(out), buf.subarray(i, end)]);
        }
    }
    return Buffer.from(out);
}
