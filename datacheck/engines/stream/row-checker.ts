import { ColumnCheck, ColumnPlan, ValueKind } from "../../rules/header";
import { IdCounter, MAX_ITEM_SLOTS, MAX_USER_SLOTS, hashId, idHash } from "./id-counter";
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

const ZERO = 0x30;
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
    private readonly checks: ColumnCheck[];
    /** Per check: the counter its ID values go to, if any (looked up once, not per row). */
    private readonly counters: (IdCounter | undefined)[];

    constructor(
        private readonly plan: ColumnPlan,
        readonly problems: ProblemList,
    ) {
        this.checks = plan.checks;
        this.counters = plan.checks.map(c =>
            c.index === plan.userColumn ? this.users : c.index === plan.itemColumn ? this.items : undefined,
        );
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
        const checks = this.checks;
        for (let i = 0; i < checks.length; i++) {
            const index = checks[i].index;
            const start = fields.starts[index];
            const end = fields.ends[index];
            if ((fields.flags[index] & FIELD_QUOTED) === 0) {
                this.checkValue(buf, start, end, i, line);
            } else {
                const value = decodeQuotedField(buf, start, end);
                this.checkValue(value, 0, value.length, i, line);
            }
        }
        const event = this.plan.eventTypeColumn;
        if (event >= 0 && this.eventTypes.length < MAX_EVENT_TYPES) {
            const quoted = (fields.flags[event] & FIELD_QUOTED) !== 0;
            const value = quoted ? decodeQuotedField(buf, fields.starts[event], fields.ends[event]) : buf;
            const [start, end] = quoted ? [0, value.length] : [fields.starts[event], fields.ends[event]];
            if (start === end) return;
            hashId(value, start, end);
            const known = this.eventTypeHashes.size;
            this.eventTypeHashes.add(idHash.a, idHash.b);
            if (this.eventTypeHashes.size > known) this.eventTypes.push(value.toString("utf8", start, end));
        }
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
