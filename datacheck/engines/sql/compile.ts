/**
 * SQL for the parts of a check that are the same for every query: a value test of the rule table as a predicate,
 * and a line split into CSV fields the way the stream engine's scanner (engines/stream/scanner.ts) reads a record
 * that fits on one line. Patterns use only what Trino's (Joni) and DuckDB's (RE2) regular expressions share.
 */
import type { ValueTest } from "../../rules/value-rules";
import type { Dialect } from "./dialect";

/** A string literal: single quotes doubled. Standard SQL; neither engine reads backslashes in it. */
export const literal = (text: string) => `'${text.replace(/'/g, "''")}'`;

/**
 * One CSV field as the scanner reads it: quoted (`"`, then any character but `"` or a doubled `""`, then the closing
 * quote, then as csv-parse's relax_quotes keeps it, text up to the next comma that doesn't start with a quote), or
 * unquoted (not starting with a quote), or empty. A closing quote is never followed by a quote, so each line has one
 * reading. No group captures, so the field's own group is the one around it.
 */
const FIELD = `"(?:[^"]|"")*"(?:[^",][^,]*)?|[^",][^,]*|`;

/** Whether every quote the line opens is closed on it: the whole line reads as fields. */
export function closedOnLine(d: Dialect, line: string): string {
    return `(strpos(${line}, '"') = 0 OR ${d.matches(line, literal(`^(?:${FIELD})(?:,(?:${FIELD}))*$`))})`;
}

/**
 * The raw fields of a line whose quotes are closed: a plain split when it has no quote (most lines), else every
 * `,field` of `,` || line. Each match starts with its comma, so none is empty and none is skipped.
 */
export function fields(d: Dialect, line: string): string {
    return `CASE WHEN strpos(${line}, '"') = 0 THEN ${d.split(line, "','")} ELSE regexp_extract_all(',' || ${line}, ${literal(`,(${FIELD})`)}, 1) END`;
}

/**
 * The value of a raw field, as the scanner's decodeQuotedField gives it: a quoted field loses its quotes and `""`
 * becomes `"`; text after the closing quote is kept with both quotes.
 */
export function fieldValue(raw: string): string {
    const quoted = literal(`^"((?:[^"]|"")*)"([^\\n]*)$`);
    const content = `replace(regexp_extract(${raw}, ${quoted}, 1), '""', '"')`;
    const rest = `regexp_extract(${raw}, ${quoted}, 2)`;
    return `CASE WHEN substr(${raw}, 1, 1) <> '"' THEN ${raw} WHEN ${rest} = '' THEN ${content} ELSE '"' || ${content} || '"' || ${rest} END`;
}

const INTEGER = "^[+-]?[0-9]+$";
/** The same language as the stream engine's isDecimalNumber and the csv-parse oracle's pattern. */
const DECIMAL = "^[+-]?([0-9]+\\.?[0-9]*|\\.[0-9]+)([eE][+-]?[0-9]+)?$";

/**
 * Whether an integer's decimal digits `digits` (no sign, no leading zeros) are at most `bound`'s: fewer digits, or as
 * many and not greater as text (digit strings of one length sort as their numbers).
 */
const digitsAtMost = (digits: string, bound: bigint) => {
    const text = (bound < 0n ? -bound : bound).toString();
    return `(length(${digits}) < ${text.length} OR (length(${digits}) = ${text.length} AND ${digits} <= ${literal(text)}))`;
};

/** A value test as a predicate on the non-empty value `value`. */
export function compileTest(d: Dialect, test: ValueTest, value: string): string {
    switch (test.test) {
        case "charactersAbove":
            return `length(${value}) > ${test.limit}`;
        case "notInteger":
            return `NOT ${d.matches(value, literal(INTEGER))}`;
        case "integerDigits":
            return d.matches(value, literal(`^[+-]?[0-9]{${test.min},${test.max ?? ""}}$`));
        case "notIntegerWithin": {
            // Compared as text, so that no cast has to agree on what it accepts (signs, spaces, leading zeros).
            const digits = `regexp_replace(${value}, '^[+-]?0*', '')`;
            const negative = `substr(${value}, 1, 1) = '-'`;
            return `NOT (${d.matches(value, literal(INTEGER))} AND CASE WHEN ${negative} THEN ${digitsAtMost(digits, test.min)} ELSE ${digitsAtMost(digits, test.max)} END)`;
        }
        case "notDecimal":
            return `NOT ${d.matches(value, literal(DECIMAL))}`;
        case "notWordIgnoringCase":
            // lower() folds more than ASCII, but nothing outside ASCII lowers to an ASCII letter but the Kelvin sign,
            // and no word here has a k.
            return `lower(${value}) NOT IN (${test.words.map(literal).join(", ")})`;
    }
}
