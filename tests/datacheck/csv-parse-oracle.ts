/**
 * The data-check rules implemented the plain way, on top of csv-parse (streaming) and strings, from the rules as the
 * README and the Personalize guide state them. It is the oracle of the differential test and the baseline of
 * scripts/bench-data.ts, so it shares nothing with datacheck but the type of a data file: its own CSV
 * parsing, header check, column requirements, value rules and rule ids. Only rule ids and lines are compared, so it
 * has no messages. No schema: the differential test generates files without one.
 */
import { Options, parse } from "csv-parse";
import { parse as parseSync } from "csv-parse/sync";
import { createReadStream } from "fs";
import { isUtf8 } from "buffer";
import type { DataFile, DatasetType } from "../../datacheck/rules/dataset-type";

export interface OracleProblem {
    line: number;
    rule: string;
}

export interface OracleResult {
    rows: number;
    users: number;
    items: number;
    problems: OracleProblem[];
}

/**
 * The CSV dialect the scanner implements: RFC 4180 quoting, lenient quotes, LF or CRLF, every record reported.
 * Fields are read as latin1 (one character per byte) so the original bytes can be checked for valid UTF-8;
 * `encoding: null` would do that too but makes csv-parse crash on a record with the wrong field count.
 */
export const CSV_OPTIONS: Options = {
    encoding: "latin1",
    relax_quotes: true,
    relax_column_count: true,
    record_delimiter: ["\n", "\r\n"],
    skip_records_with_error: true,
    info: true,
    raw: true,
};

const BOM = "\ufeff";

/** Required columns, reserved ones that are not metadata, and the metadata (or column) limits, per dataset. */
const DATASETS: Record<
    DatasetType,
    { required: string[]; reserved: string[]; minMetadata: number; maxMetadata: number; maxColumns: number }
> = {
    interactions: {
        required: ["USER_ID", "ITEM_ID", "TIMESTAMP"],
        reserved: ["EVENT_TYPE", "EVENT_VALUE", "IMPRESSION"],
        minMetadata: 0,
        maxMetadata: 5,
        maxColumns: Infinity,
    },
    items: { required: ["ITEM_ID"], reserved: [], minMetadata: 1, maxMetadata: 100, maxColumns: Infinity },
    users: { required: ["USER_ID"], reserved: [], minMetadata: 1, maxMetadata: 25, maxColumns: Infinity },
    actions: { required: ["ACTION_ID"], reserved: [], minMetadata: 1, maxMetadata: Infinity, maxColumns: 10 },
    "action-interactions": {
        required: ["USER_ID", "ACTION_ID", "TIMESTAMP", "EVENT_TYPE"],
        reserved: ["IMPRESSION"],
        minMetadata: 0,
        maxMetadata: Infinity,
        maxColumns: Infinity,
    },
};

const IDS = ["USER_ID", "ITEM_ID", "ACTION_ID"];
const TIMESTAMPS = ["TIMESTAMP", "CREATION_TIMESTAMP", "EXPIRATION_TIMESTAMP"];

type Kind = "id" | "timestamp" | "number" | "whole" | "categorical";

interface Column {
    index: number;
    kind: Kind;
    required: boolean;
}

/** What a column's values must be, by its (upper-case) name: without a schema, anything else is categorical. */
function kindOf(name: string, type: DatasetType): Kind {
    if (IDS.includes(name)) return "id";
    if (TIMESTAMPS.includes(name)) return "timestamp";
    if (name === "EVENT_VALUE" || (type === "actions" && name === "VALUE")) return "number";
    if (type === "actions" && name === "REPEAT_FREQUENCY") return "whole";
    return "categorical";
}

/** The header's problems (rule ids) and the columns its rows are checked by. */
function headerRules(names: string[], quoted: boolean[], type: DatasetType): { rules: string[]; columns: Column[] } {
    const spec = DATASETS[type];
    const upper = names.map(n => n.toUpperCase());
    const known = [...spec.required, ...spec.reserved, ...IDS, ...TIMESTAMPS, ...(type === "actions" ? ["VALUE", "REPEAT_FREQUENCY"] : [])];
    const rules: string[] = [];
    // A semicolon or tab in a name says the file has another delimiter: one hint for the header.
    if (names.some(name => name.includes(";") || name.includes("\t"))) rules.push("header-delimiter");
    names.forEach((name, i) => {
        if (quoted[i]) rules.push("header-quoted");
        if (name.split(" ").length > 1) rules.push("header-space");
        if (name === "") rules.push("header-empty-column");
        else if (upper.indexOf(upper[i]) < i) rules.push("header-duplicate-column");
        if (known.includes(upper[i]) && name !== upper[i]) rules.push("header-case");
    });
    if (spec.required.some(r => !upper.includes(r))) rules.push("missing-columns");
    const metadata = upper.filter(n => n !== "" && !spec.required.includes(n) && !spec.reserved.includes(n)).length;
    if (metadata < spec.minMetadata) rules.push("metadata-missing");
    if (metadata > spec.maxMetadata) rules.push("metadata-too-many");
    if (names.length > spec.maxColumns) rules.push("columns-too-many");
    const columns = upper.map((n, index) => ({ index, kind: kindOf(n, type), required: n === "TIMESTAMP" }));
    return { rules, columns };
}

function valueRule(column: Column, value: string): string | undefined {
    if (value === "") return column.kind === "id" ? "id-empty" : column.required ? "value-empty" : undefined;
    const characters = [...value].length;
    switch (column.kind) {
        case "id":
            return characters > 256 ? "id-too-long" : undefined;
        case "timestamp": {
            const match = /^[+-]?(\d+)$/.exec(value);
            if (!match) return "timestamp-integer";
            if (match[1].length === 13) return "timestamp-milliseconds";
            return match[1].length > 13 ? "timestamp-range" : undefined;
        }
        case "number":
            return /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(value) ? undefined : "not-a-number";
        case "whole":
            return /^[+-]?\d+$/.test(value) ? undefined : "not-a-whole-number";
        case "categorical":
            return characters > 1000 ? "categorical-too-long" : undefined;
    }
}

/** Checks one file's header and rows; cross-file rules and size limits are not part of the oracle. */
export function checkWithCsvParse(file: DataFile): Promise<OracleResult> {
    const problems: OracleProblem[] = [];
    const add = (line: number, rule: string) => problems.push({ line, rule });
    const users = new Map<string, number>();
    const items = new Set<string>();
    let rows = 0;
    let columns: Column[] | undefined;
    // csv-parse's info.lines counts a CR inside a value as a line break too; lines are LF-terminated here (as for
    // wc -l and the checker), so they are counted from each record's raw text.
    let line = 1;
    let userColumn = -1;
    let itemColumn = -1;

    return new Promise((resolve, reject) => {
        const parser = parse({
            ...CSV_OPTIONS,
            on_skip: (_error, raw) => {
                if (
                    line === 1 &&
                    Buffer.from(raw ?? "", "latin1")
                        .toString("utf8")
                        .startsWith(BOM)
                )
                    add(1, "header-bom");
                if (columns) rows++;
                add(line, "unclosed-quote");
                return undefined;
            },
        });
        parser.on("data", ({ record, raw }: { record: string[]; raw: string }) => {
            const lineBreaks = raw.split("\n").length - (raw.endsWith("\n") ? 1 : 0);
            const recordLine = line;
            line += lineBreaks;
            checkRecord(record, raw, recordLine);
        });
        const checkRecord = (record: string[], raw: string, line: number) => {
            const fields = record.map(f => Buffer.from(f, "latin1"));
            if (line === 1) {
                let names = fields.map(f => f.toString("utf8"));
                if (names[0]?.startsWith(BOM)) {
                    add(1, "header-bom");
                    names[0] = names[0].slice(1);
                }
                if (!fields.every(f => isUtf8(f))) return add(1, "invalid-utf8");
                if (fields.some(f => f.includes(0x0a))) return add(1, "quoted-line-break");
                // csv-parse does not say which fields were quoted: read the header again with quoting off.
                const literal: string[] =
                    parseSync(
                        Buffer.from(raw, "latin1")
                            .toString("utf8")
                            .replace(/^\ufeff/, "")
                            .replace(/\r?\n$/, ""),
                        { quote: false, relax_column_count: true },
                    )[0] ?? [];
                const header = headerRules(
                    names,
                    names.map((_, i) => literal[i]?.startsWith('"') ?? false),
                    file.datasetType,
                );
                header.rules.forEach(rule => add(1, rule));
                columns = header.columns;
                userColumn = names.findIndex(n => n.toUpperCase() === "USER_ID");
                itemColumn = names.findIndex(n => n.toUpperCase() === "ITEM_ID");
                return;
            }
            if (!columns) return;
            rows++;
            if (!fields.every(f => isUtf8(f))) return add(line, "invalid-utf8");
            if (fields.some(f => f.includes(0x0a))) return add(line, "quoted-line-break");
            if (fields.length === 1 && fields[0].length === 0 && !raw.startsWith('"')) return add(line, "blank-line");
            if (fields.length !== columns.length) return add(line, "field-count");
            for (const column of columns) {
                const value = fields[column.index].toString("utf8");
                const rule = valueRule(column, value);
                if (rule) add(line, rule);
                if (value === "") continue;
                if (column.index === userColumn) users.set(value, (users.get(value) ?? 0) + 1);
                if (column.index === itemColumn) items.add(value);
            }
        };
        parser.on("error", reject);
        parser.on("end", () => {
            if (line === 1 && problems.length === 0) add(1, "header-missing");
            resolve({ rows, users: users.size, items: items.size, problems });
        });
        createReadStream(file.path, { highWaterMark: 1 << 20 })
            .on("error", reject)
            .pipe(parser);
    });
}
