/**
 * The value rules as data: per kind of column (ValueKind), which rule a value breaks, stated as a test in a small
 * vocabulary. The SQL engines compile each test (engines/sql/compile.ts); the stream engine implements each test
 * kind once, on bytes, in its row loop (engines/stream/row-checker.ts: characterCount, integerDigits, fitsInteger,
 * isDecimalNumber), where speed matters most. tests/datacheck/sql-differential.spec.ts holds the two to the same
 * verdicts. Ids, messages and limits come from table.ts.
 */
import { ValueKind } from "./header";
import { LIMITS, RULES } from "./table";

/** A value test; each holds when the value breaks its rule. */
export type ValueTest =
    /** More Unicode characters (code points) than `limit`. */
    | { test: "charactersAbove"; limit: number }
    /** Not an optionally signed run of ASCII digits. */
    | { test: "notInteger" }
    /** An optionally signed run of ASCII digits, of at least `min` digits (and at most `max`). */
    | { test: "integerDigits"; min: number; max?: number }
    /** Not an optionally signed run of ASCII digits whose value is within [min, max]. */
    | { test: "notIntegerWithin"; min: bigint; max: bigint }
    /** Not a decimal number: [+-]digits[.digits][e[+-]digits], with digits on at least one side of the point. */
    | { test: "notDecimal" }
    /** None of `words`, compared without regard to ASCII case. */
    | { test: "notWordIgnoringCase"; words: readonly string[] };

export interface ValueRule {
    rule: string;
    when: ValueTest;
    /** The finding for a value of the column that breaks the rule. */
    finding(column: string, value: string): [rule: string, message: string];
}

export interface KindRules {
    /** The finding for an empty value: always for IDs, for other kinds only when the column is not nullable. */
    empty(column: string): [rule: string, message: string];
    emptyAlways: boolean;
    /** Tried in order on a non-empty value; the first that holds is its finding. */
    rules: ValueRule[];
}

const characters = (value: string) => [...value].length;
const schemaType =
    (type: string): ValueRule["finding"] =>
    (column, value) =>
        RULES.schemaType(column, value, type);

const valueEmpty = { empty: RULES.valueEmpty, emptyAlways: false };

export const VALUE_RULES: Record<number, KindRules> = {
    [ValueKind.id]: {
        empty: RULES.idEmpty,
        emptyAlways: true,
        rules: [
            {
                rule: "id-too-long",
                when: { test: "charactersAbove", limit: LIMITS.idCharacters },
                finding: (column, value) => RULES.idTooLong(column, characters(value)),
            },
        ],
    },
    [ValueKind.timestamp]: {
        ...valueEmpty,
        rules: [
            { rule: "timestamp-integer", when: { test: "notInteger" }, finding: RULES.timestampInteger },
            {
                rule: "timestamp-milliseconds",
                when: { test: "integerDigits", min: LIMITS.millisecondDigits, max: LIMITS.millisecondDigits },
                finding: RULES.timestampMilliseconds,
            },
            { rule: "timestamp-range", when: { test: "integerDigits", min: LIMITS.millisecondDigits + 1 }, finding: RULES.timestampRange },
        ],
    },
    [ValueKind.number]: { ...valueEmpty, rules: [{ rule: "not-a-number", when: { test: "notDecimal" }, finding: RULES.notANumber }] },
    [ValueKind.int]: {
        ...valueEmpty,
        rules: [
            {
                rule: "schema-type",
                when: { test: "notIntegerWithin", min: LIMITS.intRange[0], max: LIMITS.intRange[1] },
                finding: schemaType("int"),
            },
        ],
    },
    [ValueKind.long]: {
        ...valueEmpty,
        rules: [
            {
                rule: "schema-type",
                when: { test: "notIntegerWithin", min: LIMITS.longRange[0], max: LIMITS.longRange[1] },
                finding: schemaType("long"),
            },
        ],
    },
    [ValueKind.boolean]: {
        ...valueEmpty,
        rules: [{ rule: "schema-type", when: { test: "notWordIgnoringCase", words: ["true", "false"] }, finding: schemaType("boolean") }],
    },
    [ValueKind.categorical]: {
        ...valueEmpty,
        rules: [
            {
                rule: "categorical-too-long",
                when: { test: "charactersAbove", limit: LIMITS.categoricalCharacters },
                finding: (column, value) => RULES.categoricalTooLong(column, characters(value)),
            },
        ],
    },
    [ValueKind.string]: { ...valueEmpty, rules: [] },
    [ValueKind.wholeNumber]: {
        ...valueEmpty,
        rules: [{ rule: "not-a-whole-number", when: { test: "notInteger" }, finding: RULES.notAWholeNumber }],
    },
};
