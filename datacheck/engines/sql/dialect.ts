/**
 * Where Athena's SQL (Trino) and DuckDB's differ, for the functions the generated queries use. Everything else in
 * the queries is written once and means the same in both: `||`, substr, strpos, length (characters: code points in
 * both), lower, replace, regexp_extract, regexp_extract_all and regexp_replace with anchored patterns, count_if,
 * array_agg with ORDER BY and FILTER, CASE, GROUPING SETS and grouping().
 *
 * Trino: https://trino.io/docs/current/functions.html, which Athena engine version 3 follows
 * (https://docs.aws.amazon.com/athena/latest/ug/functions-env3.html). DuckDB: https://duckdb.org/docs/stable/sql/functions/overview.
 */

export interface Dialect {
    name: "athena" | "duckdb";
    /**
     * The raw lines to check, one row per line: path (the object or file), line (its text, invalid UTF-8 sequences
     * replaced by U+FFFD), utf8 (whether the line was valid UTF-8) and bytes (its length in bytes as stored).
     */
    lines: string;
    /** Whether `pattern` matches somewhere in `text` (patterns are anchored where they must match all of it). */
    matches(text: string, pattern: string): string;
    /** `text` split at every `delimiter` into an array. */
    split(text: string, delimiter: string): string;
    /** Element `index` (1-based) of `array`, NULL past its end. */
    element(array: string, index: number): string;
    /** Number of elements of `array`. */
    size(array: string): string;
    /** The first `count` elements of `array` as a JSON text. */
    jsonHead(array: string, count: number): string;
}

const quoteIdentifier = (name: string) => `"${name.replace(/"/g, '""')}"`;

/**
 * Athena over the raw-lines table of a dataset folder: "$path" is the object's s3:// URI
 * (https://docs.aws.amazon.com/athena/latest/ug/select.html#select-path). The table's `line` column holds a line's
 * bytes as they are; from_utf8(to_utf8(...)) replaces invalid sequences with U+FFFD
 * (https://trino.io/docs/current/functions/string.html#from_utf8), so a line is valid UTF-8 when that leaves it unchanged.
 */
export function athenaDialect(database: string, table: string): Dialect {
    return {
        name: "athena",
        lines:
            `SELECT "$path" AS path, from_utf8(to_utf8(line)) AS line, from_utf8(to_utf8(line)) = line AS utf8, ` +
            `length(to_utf8(line)) AS bytes FROM ${quoteIdentifier(database)}.${quoteIdentifier(table)}`,
        // https://trino.io/docs/current/functions/regexp.html#regexp_like: "contained within string".
        matches: (text, pattern) => `regexp_like(${text}, ${pattern})`,
        // https://trino.io/docs/current/functions/string.html#split
        split: (text, delimiter) => `split(${text}, ${delimiter})`,
        // https://trino.io/docs/current/functions/array.html#element_at: NULL past the end (a subscript would fail).
        element: (array, index) => `element_at(${array}, ${index})`,
        // https://trino.io/docs/current/functions/array.html#cardinality
        size: array => `cardinality(${array})`,
        // https://trino.io/docs/current/functions/array.html#slice, https://trino.io/docs/current/functions/json.html#cast-to-json
        jsonHead: (array, count) => `json_format(CAST(slice(${array}, 1, ${count}) AS JSON))`,
    };
}

/** DuckDB over the raw_lines table that engines/duckdb/raw-lines.ts loads. */
export const duckdbDialect: Dialect = {
    name: "duckdb",
    lines: "SELECT path, line, utf8, bytes FROM raw_lines",
    // https://duckdb.org/docs/stable/sql/functions/regular_expressions: regexp_matches "returns true if string
    // contains the regexp"; DuckDB has no regexp_like.
    matches: (text, pattern) => `regexp_matches(${text}, ${pattern})`,
    // https://duckdb.org/docs/stable/sql/functions/text#string_splitstring-separator
    split: (text, delimiter) => `string_split(${text}, ${delimiter})`,
    // https://duckdb.org/docs/stable/sql/functions/list#list_extractlist-index: NULL past the end; DuckDB's
    // element_at takes maps only.
    element: (array, index) => `list_extract(${array}, ${index})`,
    // https://duckdb.org/docs/stable/sql/functions/list#lenlist
    size: array => `len(${array})`,
    // https://duckdb.org/docs/stable/sql/functions/list#list_slicelist-begin-end, https://duckdb.org/docs/stable/data/json/json_functions#to_json
    jsonHead: (array, count) => `CAST(to_json(list_slice(${array}, 1, ${count})) AS VARCHAR)`,
};
