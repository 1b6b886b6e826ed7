import { ColumnCheck, ColumnPlan, ValueKind } from "../../rules/header";
import { FNV_OFFSET, FNV_PRIME, IdCounter, MAX_ITEM_SLOTS, MAX_USER_SLOTS, hashId, idHash, idHashA, idHashB } from "./id-counter";
import { ProblemList } from "../../report";
import { LIMITS, RULES } from "../../rules/table";
import {
    FIELD_QUOTED,
    FieldBounds,
    MAX_RECORD_BYTES,
    RECORD_INVALID_UTF8,
    RECORD_TOO_LONG,
    RECORD_UNCLOSED_QUOTE,
    RecordVisitor,
    decodeQuotedField,
} from "./scanner";

/** Distinct event types kept per file: far more than the quota (10 with the metadata columns), so a count over it is exact enough. */
export const MAX_EVENT_TYPES = 64;

const QUOTE = 0x22;
const COMMA = 0x2c;
const LF = 0x0a;
const CR = 0x0d;
const ZERO = 0x30;
const USERS = 1;
const ITEMS = 2;
const EVENT_TYPES = 3;
const NINE = 0x39;
const PLUS = 0x2b;
const MINUS = 0x2d;
const DOT = 0x2e;

/**
 * Checks data records against the column plan, reading values straight from the bytes: only a value that breaks a
 * rule, or a quoted one, is turned into a string or copied. One problem at most per record and column.
 */
export class RowChecker implements RecordVisitor {
    rows = 0;
    readonly users = new IdCounter(MAX_USER_SLOTS);
    readonly items = new IdCounter(MAX_ITEM_SLOTS);
    /** Distinct EVENT_TYPE values, in order of first appearance, up to MAX_EVENT_TYPES. */
    readonly eventTypes: string[] = [];
    private readonly eventTypeHashes = new IdCounter(1 << 10);
    /**
     * The two hashes of EVENT_TYPE values already counted, in slot `a % MAX_EVENT_TYPES`. An unused slot holds an `a`
     * that belongs in another slot, so it matches no value.
     */
    private readonly eventTypeMemo = new Int32Array(2 * MAX_EVENT_TYPES).map((_, i) => (i % 2 === 0 ? (i / 2) ^ 1 : 0));
    private readonly checks: ColumnCheck[];
    /** Per check: the counter its ID values go to, if any (looked up once, not per row). */
    private readonly counters: (IdCounter | undefined)[];
    /** Field bounds of the record `plainRecord` reads (never quoted). */
    private readonly plain: FieldBounds;
    /** Per field: the index of its check, or -1. */
    private readonly checkOf: Int32Array;
    /** Per field: what `plainRecord` hashes its value for (USERS, ITEMS, EVENT_TYPES), or 0. */
    private readonly hashed: Uint8Array;
    /** Per hashed field: the hashes (hashId) of its value in the record `plainRecord` reads. */
    private readonly hashA: Int32Array;
    private readonly hashB: Int32Array;

    constructor(
        private readonly plan: ColumnPlan,
        readonly problems: ProblemList,
    ) {
        this.checks = plan.checks;
        this.counters = plan.checks.map(c =>
            c.index === plan.userColumn ? this.users : c.index === plan.itemColumn ? this.items : undefined,
        );
        this.plain = new FieldBounds(plan.fieldCount);
        this.checkOf = new Int32Array(plan.fieldCount).fill(-1);
        this.hashed = new Uint8Array(plan.fieldCount);
        plan.checks.forEach((c, i) => {
            this.checkOf[c.index] = i;
            if (c.kind === ValueKind.id)
                this.hashed[c.index] = c.index === plan.userColumn ? USERS : c.index === plan.itemColumn ? ITEMS : 0;
        });
        if (plan.eventTypeColumn >= 0) this.hashed[plan.eventTypeColumn] = EVENT_TYPES;
        this.hashA = new Int32Array(plan.fieldCount);
        this.hashB = new Int32Array(plan.fieldCount);
    }

    record(buf: Buffer, fields: FieldBounds, line: number, flags: number): void {
        this.rows++;
        if (flags !== 0) {
            if (flags & RECORD_TOO_LONG) this.problems.addRow(line, ...RULES.recordTooLong(MAX_RECORD_BYTES));
            else if (flags & RECORD_UNCLOSED_QUOTE) this.problems.addRow(line, ...RULES.unclosedQuote());
            else if (flags & RECORD_INVALID_UTF8) this.problems.addRow(line, ...RULES.invalidUtf8());
            else this.problems.addRow(line, ...RULES.quotedLineBreak());
            return;
        }
        if (fields.count === 1 && fields.starts[0] === fields.ends[0]) {
            this.problems.addRow(line, ...RULES.blankLine());
            return;
        }
        if (fields.count !== this.plan.fieldCount) {
            this.problems.addRow(line, ...RULES.fieldCount(this.plan.fieldCount, fields.count));
            return;
        }
        this.checkFields(buf, fields.starts, fields.ends, fields.flags, line);
    }

    /**
     * The common record, checked without the general scanner: one line of `fieldCount` unquoted fields, inside
     * buf[start, end), in a chunk already known to be valid UTF-8. Its field bounds are the ones RecordScanner would
     * find, and its values go through the same checks. Returns the offset after its line break, or -1 when the record
     * is anything else (a quote at the start of a field, another field count, a blank line, cut by `end`), which the
     * general scanner then reads. Hand-written instead of a CSV library for speed: csv-parse and udsv build a string
     * per field; tests/datacheck/differential.spec.ts holds both paths to csv-parse's reading.
     */
    plainRecord(buf: Buffer, start: number, end: number, line: number): number {
        const last = this.plan.fieldCount - 1;
        const { starts, ends } = this.plain;
        const hashed = this.hashed;
        const hashA = this.hashA;
        const hashB = this.hashB;
        let pos = start;
        for (let f = 0; ; f++) {
            const fieldStart = pos;
            if (pos < end && buf[pos] === QUOTE) return -1;
            let c = 0;
            if (hashed[f] === 0) {
                while (pos < end) {
                    c = buf[pos];
                    // One comparison for the common bytes: letters, digits and most punctuation sort after the comma.
                    if (c <= COMMA && (c === COMMA || c === LF)) break;
                    pos++;
                }
            } else {
                // The ID's hash (hashId) in the same pass that finds its end.
                let a = FNV_OFFSET;
                let b = 0;
                while (pos < end) {
                    c = buf[pos];
                    if (c <= COMMA && (c === COMMA || c === LF)) break;
                    a = Math.imul(a ^ c, FNV_PRIME);
                    b = (Math.imul(b, 31) + c) | 0;
                    pos++;
                }
                hashA[f] = idHashA(a, pos - fieldStart);
                hashB[f] = idHashB(b, pos - fieldStart);
            }
            if (pos === end) return -1;
            starts[f] = fieldStart;
            if (f < last) {
                if (c !== COMMA) return -1;
                ends[f] = pos++;
                continue;
            }
            if (c !== LF) return -1;
            ends[f] = pos;
            if (pos > fieldStart && buf[pos - 1] === CR) {
                ends[f] = pos - 1; // CRLF record delimiter, not part of the value (nor of its hash)
                if (hashed[f] !== 0) {
                    hashId(buf, fieldStart, pos - 1);
                    hashA[f] = idHash.a;
                    hashB[f] = idHash.b;
                }
            }
            pos++;
            break;
        }
        if (pos - start > MAX_RECORD_BYTES || (last === 0 && starts[0] === ends[0])) return -1;
        this.rows++;
        const checkOf = this.checkOf;
        for (let f = 0; f <= last; f++) {
            const check = checkOf[f];
            if (check < 0) continue;
            const length = ends[f] - starts[f];
            // An ID that is not empty and has no more bytes than the limit has characters breaks no rule: count it.
            // Any other value goes through the same check as on the general path.
            if (hashed[f] !== 0 && hashed[f] !== EVENT_TYPES && length > 0 && length <= LIMITS.idCharacters) {
                (hashed[f] === USERS ? this.users : this.items).push(hashA[f] >>> 0, hashB[f] >>> 0);
            } else {
                this.checkValue(buf, starts[f], ends[f], check, line);
            }
        }
        const event = this.plan.eventTypeColumn;
        if (event >= 0 && starts[event] !== ends[event]) this.noteEventType(buf, starts[event], ends[event], hashA[event], hashB[event]);
        return pos;
    }

    private checkFields(buf: Buffer, starts: Int32Array, ends: Int32Array, fieldFlags: Uint8Array, line: number): void {
        const checks = this.checks;
        for (let i = 0; i < checks.length; i++) {
            const index = checks[i].index;
            const start = starts[index];
            const end = ends[index];
            if ((fieldFlags[index] & FIELD_QUOTED) === 0) {
                this.checkValue(buf, start, end, i, line);
            } else {
                const value = decodeQuotedField(buf, start, end);
                this.checkValue(value, 0, value.length, i, line);
            }
        }
        this.collectEventType(buf, starts, ends, fieldFlags);
    }

    private collectEventType(buf: Buffer, starts: Int32Array, ends: Int32Array, fieldFlags: Uint8Array): void {
        const event = this.plan.eventTypeColumn;
        if (event < 0 || this.eventTypes.length >= MAX_EVENT_TYPES) return;
        const quoted = (fieldFlags[event] & FIELD_QUOTED) !== 0;
        const value = quoted ? decodeQuotedField(buf, starts[event], ends[event]) : buf;
        const start = quoted ? 0 : starts[event];
        const end = quoted ? value.length : ends[event];
        if (start === end) return;
        hashId(value, start, end);
        this.noteEventType(value, start, end, idHash.a, idHash.b);
    }

    /** Adds a non-empty EVENT_TYPE value, given its hashes (hashId), to the distinct ones if it is new. */
    private noteEventType(value: Buffer, start: number, end: number, a: number, b: number): void {
        // Almost every row repeats a type already seen: a direct-mapped memo of their hashes answers without the table.
        const memo = this.eventTypeMemo;
        const i = 2 * (a & (MAX_EVENT_TYPES - 1));
        if (memo[i] === (a | 0) && memo[i + 1] === (b | 0)) return;
        if (this.eventTypes.length >= MAX_EVENT_TYPES) return;
        const known = this.eventTypeHashes.size;
        this.eventTypeHashes.add(a >>> 0, b >>> 0);
        if (this.eventTypeHashes.size > known) this.eventTypes.push(value.toString("utf8", start, end));
        memo[i] = a;
        memo[i + 1] = b;
    }

    recordTooLong(line: number): void {
        this.rows++;
        this.problems.addRow(line, ...RULES.recordTooLong(MAX_RECORD_BYTES));
    }

    private checkValue(buf: Buffer, start: number, end: number, checkIndex: number, line: number): void {
        const check = this.checks[checkIndex];
        const name = check.name;
        if (start === end) {
            if (check.kind === ValueKind.id) this.problems.addRow(line, ...RULES.idEmpty(name), name);
            else if (!check.nullable) this.problems.addRow(line, ...RULES.valueEmpty(name), name);
            return;
        }
        switch (check.kind) {
            case ValueKind.id: {
                if (end - start > LIMITS.idCharacters) {
                    const length = characterCount(buf, start, end);
                    if (length > LIMITS.idCharacters) this.problems.addRow(line, ...RULES.idTooLong(name, length), name);
                }
                const counter = this.counters[checkIndex];
                if (counter !== undefined) {
                    hashId(buf, start, end);
                    counter.push(idHash.a, idHash.b);
                }
                return;
            }
            case ValueKind.timestamp: {
                const digits = integerDigits(buf, start, end);
                if (digits < 0) this.problems.addRow(line, ...RULES.timestampInteger(name, buf.toString("utf8", start, end)), name);
                else if (digits === LIMITS.millisecondDigits)
                    this.problems.addRow(line, ...RULES.timestampMilliseconds(name, buf.toString("utf8", start, end)), name);
                else if (digits > LIMITS.millisecondDigits)
                    this.problems.addRow(line, ...RULES.timestampRange(name, buf.toString("utf8", start, end)), name);
                return;
            }
            case ValueKind.number:
                if (!isDecimalNumber(buf, start, end))
                    this.problems.addRow(line, ...RULES.notANumber(name, buf.toString("utf8", start, end)), name);
                return;
            case ValueKind.int:
            case ValueKind.long: {
                const type = check.kind === ValueKind.int ? "int" : "long";
                if (!fitsInteger(buf, start, end, type))
                    this.problems.addRow(line, ...RULES.schemaType(name, buf.toString("utf8", start, end), type), name);
                return;
            }
            case ValueKind.boolean: {
                const text = buf.toString("latin1", start, end).toLowerCase();
                if (text !== "true" && text !== "false")
                    this.problems.addRow(line, ...RULES.schemaType(name, buf.toString("utf8", start, end), "boolean"), name);
                return;
            }
            case ValueKind.wholeNumber:
                if (integerDigits(buf, start, end) < 0)
                    this.problems.addRow(line, ...RULES.notAWholeNumber(name, buf.toString("utf8", start, end)), name);
                return;
            case ValueKind.categorical:
                if (end - start > LIMITS.categoricalCharacters) {
                    const length = characterCount(buf, start, end);
                    if (length > LIMITS.categoricalCharacters) this.problems.addRow(line, ...RULES.categoricalTooLong(name, length), name);
                }
                return;
        }
    }
}

/** Unicode characters (code points) in UTF-8 bytes: every byte that is not a continuation byte starts one. */
function characterCount(buf: Buffer, start: number, end: number): number {
    let n = 0;
    for (let i = start; i < end; i++) if ((buf[i] & 0xc0) !== 0x80) n++;
    return n;
}

/** Number of digits of an optionally signed integer, or -1 if the bytes are not one. */
function integerDigits(buf: Buffer, start: number, end: number): number {
    let i = start;
    if (buf[i] === MINUS || buf[i] === PLUS) i++;
    if (i === end) return -1;
    for (let j = i; j < end; j++) if (buf[j] < ZERO || buf[j] > NINE) return -1;
    return end - i;
}

const INTEGER_RANGE = { int: LIMITS.intRange, long: LIMITS.longRange };

function fitsInteger(buf: Buffer, start: number, end: number, type: "int" | "long"): boolean {
    const digits = integerDigits(buf, start, end);
    if (digits < 0) return false;
    if (digits <= 9) return true;
    const value = BigInt(buf.toString("latin1", start, end));
    const [min, max] = INTEGER_RANGE[type];
    return value >= min && value <= max;
}

/** [+-]digits[.digits][e[+-]digits], with digits on at least one side of the point. */
function isDecimalNumber(buf: Buffer, start: number, end: number): boolean {
    let i = start;
    if (buf[i] === MINUS || buf[i] === PLUS) i++;
    let mantissa = 0;
    while (i < end && buf[i] >= ZERO && buf[i] <= NINE) (i++, mantissa++);
    if (i < end && buf[i] === DOT) {
        i++;
        while (i < end && buf[i] >= ZERO && buf[i] <= NINE) (i++, mantissa++);
    }
    if (mantissa === 0) return false;
    if (i < end && (buf[i] === 0x65 || buf[i] === 0x45)) {
        i++;
        if (i < end && (buf[i] === MINUS || buf[i] === PLUS)) i++;
        const exponentStart = i;
        while (i < end && buf[i] >= ZERO && buf[i] <= NINE) i++;
        if (i === exponentStart) return false;
    }
    return i === end;
}
