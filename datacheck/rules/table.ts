/**
 * Rule ids and their messages. Ids are stable (callers and tests match on them); every message says what to do.
 * Limits come from the Amazon Personalize developer guide: "Amazon Personalize endpoints and quotas"
 * (https://docs.aws.amazon.com/personalize/latest/dg/limits.html, "the quotas page" below) and the schema
 * requirements of each dataset.
 */
import type { DatasetType } from "./dataset-type";
import { plural } from "../report";

export const LIMITS = {
    /** The quotas page: USER_ID and ITEM_ID at most 256 characters; the Actions schema requirements: ACTION_ID too. */
    idCharacters: 256,
    /** The quotas page: categorical data and impression values at most 1,000 characters (every dataset). */
    categoricalCharacters: 1000,
    /**
     * Timestamps are Unix epoch seconds
     * (https://docs.aws.amazon.com/personalize/latest/dg/interactions-dataset-requirements.html); a whole number of
     * this many digits is one in milliseconds (13 digits from September 2001 to 2286), and more digits are out of range.
     */
    millisecondDigits: 13,
    /** Avro int and long: 32- and 64-bit signed integers (https://avro.apache.org/docs/1.11.1/specification/#primitive-types). */
    intRange: [-(2n ** 31n), 2n ** 31n - 1n] as const,
    longRange: [-(2n ** 63n), 2n ** 63n - 1n] as const,
    /**
     * The quotas page, Item interactions: at least 1,000 records per dataset import job (FULL or INCREMENTAL), and
     * 1,000 item interactions to train. Neither minimum is given for another dataset. All files of a dataset are
     * one import job (the program imports a dataset's folder).
     */
    minInteractions: 1000,
    /**
     * The quotas page, Users: at least 25 unique users with 2 or more item interactions each, and at least 1 % of
     * all users with 2 or more (to create a recommender or solution version). "All users" is read as the users of
     * the interactions data: a Users dataset may list more, so this share is never below Personalize's own.
     */
    minUsers: 25,
    minInteractionsPerUser: 2,
    minUsersPercent: 1,
    /**
     * The quotas page: "Maximum number of distinct event types combined with total number of optional metadata
     * columns in an Item interactions dataset": 10, for that dataset only. Which columns count:
     * https://docs.aws.amazon.com/personalize/latest/dg/interactions-dataset-requirements.html, "The metadata fields
     * included in this count are EVENT_TYPE, EVENT_VALUE fields along with any custom metadata fields".
     */
    eventTypesAndMetadata: 10,
    /** The quotas page: "Maximum number of textual fields for an Items dataset": 1. */
    itemsTextualFields: 1,
    /**
     * The quotas page: bulk data per dataset import job with FULL import mode, per dataset (100 GB each for Item
     * interactions, Users and Items; INCREMENTAL imports take 1 GB). It gives none for the Actions datasets.
     */
    fullImportBytes: { interactions: 100 * 1024 ** 3, users: 100 * 1024 ** 3, items: 100 * 1024 ** 3 } as Partial<
        Record<DatasetType, number>
    >,
    incrementalImportBytes: 1024 ** 3,
    /** The quotas page, batch inference jobs: at most 1,000 input files, 1 GB of input, 50 million records a file. */
    batchInputFiles: 1000,
    batchInputBytes: 1024 ** 3,
    batchRecordsPerFile: 50_000_000,
};

const gb = (bytes: number) => `${(bytes / 1024 ** 3).toFixed(1)} GB`;
const quote = (value: string) => JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);

export const RULES = {
    headerMissing: () => [
        "header-missing",
        "the file is empty; the first line must be the header naming the columns (e.g. USER_ID,ITEM_ID,TIMESTAMP)",
    ],
    headerBom: () => ["header-bom", "the file starts with a UTF-8 byte-order mark; remove the byte-order mark (save as UTF-8 without BOM)"],
    headerQuoted: (name: string) => ["header-quoted", `column name ${quote(name)} is quoted; write header names without quotes`],
    // https://docs.aws.amazon.com/personalize/latest/dg/data-prep-formatting.html: the headers map to the schema's
    // field names, which are Avro names (letters, digits and _: https://avro.apache.org/docs/1.11.1/specification/#names).
    headerSpace: (name: string) => [
        "header-space",
        `column name ${quote(name)} has a space in it; header names are schema field names (letters, digits and _): write ${name.trim().replace(/ +/g, "_")}`,
    ],
    // The same page: "Your input data must be in a CSV (comma-separated values) file".
    headerDelimiter: (name: string, delimiter: string) => [
        "header-delimiter",
        `column name ${quote(name)} holds ${delimiter === "\t" ? "a tab" : JSON.stringify(delimiter)}: is the file ${delimiter === "\t" ? "tab" : JSON.stringify(delimiter)}-separated? Personalize reads comma-separated values only: save it with , between values`,
    ],
    headerEmptyColumn: (column: number) => [
        "header-empty-column",
        `column ${column} has no name; name every column after its schema field`,
    ],
    headerDuplicateColumn: (name: string) => ["header-duplicate-column", `column ${name} appears more than once; keep one`],
    headerCase: (name: string, expected: string) => [
        "header-case",
        `column ${name} must be written ${expected}: header names match the schema field names exactly`,
    ],
    missingColumns: (names: string[]) => [
        "missing-columns",
        `Input CSV is missing the following columns: [${names.join(", ")}]; add them to the header`,
    ],
    metadataMissing: (type: string, id: string) => [
        "metadata-missing",
        `the ${type} dataset needs ${id} and at least one metadata column; add one`,
    ],
    metadataTooMany: (type: string, names: string[], max: number) => [
        "metadata-too-many",
        `the ${type} dataset takes at most ${max} metadata columns, found ${names.length} (${names.join(", ")}); drop some`,
    ],
    columnsTooMany: (type: string, found: number, max: number) => [
        "columns-too-many",
        `the ${type} dataset takes at most ${max} columns, found ${found}; drop some (Personalize guide, Actions dataset)`,
    ],
    notAWholeNumber: (column: string, value: string) => [
        "not-a-whole-number",
        `${column} ${quote(value)} is not a whole number; write an integer (e.g. 7)`,
    ],
    schemaUnknownColumn: (name: string, schemaPath: string) => [
        "schema-unknown-column",
        `column ${name} is not a field of ${schemaPath}; remove the column or add the field to the schema`,
    ],
    schemaInvalid: (detail: string) => [
        "schema-invalid",
        `${detail}; fix the schema (Avro JSON as taken by CreateSchema), or the path in the config personalize-data-bucket:schemas (check-data: --schema) — the data was checked without it`,
    ],
    blankLine: () => ["blank-line", "the line is empty; remove it (one record per line; a final line break is fine)"],
    fieldCount: (expected: number, found: number) => [
        "field-count",
        `expected ${expected} fields as in the header, found ${found}; quote values that contain commas ("a,b")`,
    ],
    quotedLineBreak: () => [
        "quoted-line-break",
        "a quoted value contains a line break; put each record on one line (remove line breaks from values)",
    ],
    unclosedQuote: () => ["unclosed-quote", 'a quoted value is never closed; end it with " and double any quote inside it ("")'],
    recordTooLong: (maxBytes: number) => [
        "record-too-long",
        `a record is longer than ${maxBytes} bytes (an unclosed quote?); checking resumed at the next line`,
    ],
    invalidUtf8: () => ["invalid-utf8", "the line is not valid UTF-8; save the file as UTF-8"],
    idEmpty: (column: string) => ["id-empty", `${column} is empty; every record needs one`],
    idTooLong: (column: string, length: number) => [
        "id-too-long",
        `${column} is ${length} characters; IDs can be at most ${LIMITS.idCharacters}`,
    ],
    timestampMilliseconds: (column: string, value: string) => [
        "timestamp-milliseconds",
        `${column} ${value} is in milliseconds: divide by 1000 (Unix epoch seconds)`,
    ],
    timestampInteger: (column: string, value: string) => [
        "timestamp-integer",
        `${column} ${quote(value)} is not an integer; use Unix epoch seconds`,
    ],
    timestampRange: (column: string, value: string) => [
        "timestamp-range",
        `${column} ${quote(value)} has ${value.length} digits, too many for Unix epoch seconds; convert to seconds`,
    ],
    notANumber: (column: string, value: string) => [
        "not-a-number",
        `${column} ${quote(value)} is not a number; write a decimal number (e.g. 3.5)`,
    ],
    categoricalTooLong: (column: string, length: number) => [
        "categorical-too-long",
        `${column} is ${length} characters; categorical values can be at most ${LIMITS.categoricalCharacters} (several values separated by |)`,
    ],
    schemaType: (column: string, value: string, type: string) => [
        "schema-type",
        `${column} ${quote(value)} is not a valid ${type} as the schema says; fix the value or the field type`,
    ],
    valueEmpty: (column: string) => [
        "value-empty",
        `${column} is empty but required; fill it (with a schema: or make the field type ["null", ...])`,
    ],
    interactionsTooFew: (rows: number, files: number) => [
        "interactions-min-records",
        `the interactions data has ${plural(rows, "record")} in ${plural(files, "file")}; Personalize takes at least ${LIMITS.minInteractions.toLocaleString("en-US")} in an import job of Item interactions, and needs as many to train`,
    ],
    interactionsTooFewUsers: (users: number, capped: boolean) => [
        "interactions-min-users",
        `${capped ? "at least " : ""}${plural(users, "user")} ${users === 1 && !capped ? "has" : "have"} ${LIMITS.minInteractionsPerUser} or more interactions${capped ? " (user count capped)" : ""}; Personalize needs at least ${LIMITS.minUsers}`,
    ],
    interactionsTooFewUsersShare: (twoOrMore: number, users: number) => [
        "interactions-min-users-share",
        `${plural(twoOrMore, "user")} of ${users.toLocaleString("en-US")} (${((100 * twoOrMore) / users).toFixed(2)} %) ${twoOrMore === 1 ? "has" : "have"} ${LIMITS.minInteractionsPerUser} or more interactions; Personalize needs at least ${LIMITS.minUsersPercent} % of the users to have ${LIMITS.minInteractionsPerUser} or more`,
    ],
    eventTypesTooMany: (events: string[], fields: string[]) => [
        "event-types-too-many",
        `the interactions data has ${events.length >= 64 ? "at least " : ""}${plural(events.length, "distinct EVENT_TYPE value")} (${events
            .slice(0, 12)
            .map(e => JSON.stringify(e))
            .join(
                ", ",
            )}${events.length > 12 ? ", …" : ""}) and ${plural(fields.length, "optional field")} that count with them (${fields.join(", ")}); the Item interactions dataset takes at most ${LIMITS.eventTypesAndMetadata} together: merge event types or drop columns`,
    ],
    textualTooMany: (names: string[], schemaPath: string) => [
        "textual-too-many",
        `${schemaPath} marks ${plural(names.length, "field")} textual (${names.join(", ")}); an Items dataset takes at most ${LIMITS.itemsTextualFields}: keep "textual": true on one`,
    ],
    importTooLarge: (type: DatasetType, bytes: number) => [
        "import-too-large",
        `the ${type} files total ${gb(bytes)}; one ${type} dataset import job takes at most ${gb(LIMITS.fullImportBytes[type]!)} in FULL import mode (${gb(LIMITS.incrementalImportBytes)} in INCREMENTAL mode): split the data over several INCREMENTAL imports or ask for a quota increase`,
    ],
    // Batch input (JSON Lines), https://docs.aws.amazon.com/personalize/latest/dg/batch-data-upload.html.
    batchJson: (character: number | undefined) => [
        "batch-json",
        `the line is not valid JSON${character === undefined ? "" : ` (at character ${character})`}; write one JSON object per line`,
    ],
    batchNotObject: (kind: string) => [
        "batch-json",
        `the line is ${kind}, not a JSON object; write one object per line, e.g. {"userId": "user1"}`,
    ],
    batchShape: (keys: string[]) => [
        "batch-shape",
        `the object has ${keys.length ? keys.map(k => JSON.stringify(k)).join(", ") : "no field"}; a batch input record is {"userId"}, {"itemId"} or {"userId", "itemList"}, with an optional "filterValues"`,
    ],
    batchShapeMixed: (shape: string, first: string) => [
        "batch-shape-mixed",
        `the record is ${shape} but the file's first records are ${first}; a file is the input of one recipe, so keep one shape per file`,
    ],
    batchIdType: (key: string, value: string) => [
        "batch-id-type",
        `${key} is ${value}, not a string; write IDs as JSON strings ("${key}": "…")`,
    ],
    batchItemList: () => ["batch-item-list", 'itemList must be a non-empty list of item IDs (strings), e.g. ["item1", "item2"]'],
    batchFilterValues: () => [
        "batch-filter-values",
        'filterValues must map each filter parameter to a string, e.g. {"GENRES": "\\"Comedy\\""} (https://docs.aws.amazon.com/personalize/latest/dg/filter-batch.html)',
    ],
    batchEmpty: () => ["batch-empty", "the file has no records; put one JSON object per line in it, or remove it"],
    batchTooManyRecords: (records: number) => [
        "batch-too-many-records",
        `the file has ${plural(records, "record")}; a batch inference job takes at most ${LIMITS.batchRecordsPerFile.toLocaleString("en-US")} per input file: split it`,
    ],
    batchInputTooLarge: (bytes: number) => [
        "batch-input-too-large",
        `the batch input files total ${gb(bytes)}; a batch inference job reads at most ${gb(LIMITS.batchInputBytes)} of input: split it over several jobs (input folders)`,
    ],
    batchInputTooManyFiles: (files: number) => [
        "batch-input-too-many-files",
        `there are ${plural(files, "batch input file")}; a batch inference job reads at most ${LIMITS.batchInputFiles.toLocaleString("en-US")}: merge some or split the input over several jobs`,
    ],
} satisfies Record<string, (...args: never[]) => [string, string]>;
