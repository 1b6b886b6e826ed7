/**
 * The data-check rules implemented the plain way, on top of csv-parse (streaming) and strings. It is the oracle of
 * the differential test and the baseline of scripts/bench-data.ts. It shares only the header rules and the
 * messages with components/data-check; CSV parsing, UTF-8 and value rules are its own.
 */
import { Options, parse } from "csv-parse";
import { parse as parseSync } from "csv-parse/sync";
import { createReadStream } from "fs";
import { isUtf8 } from "buffer";
import { DataFile } from "../../components/data-check/dataset-type";
import { ColumnCheck, ValueKind, checkHeader } from "../../components/data-check/header";
import { Problem } from "../../components/data-check/report";
import { LIMITS, RULES } from "../../components/data-check/rules";
import { DatasetSchema } from "../../components/data-check/schema";

export interface OracleResult {
    rows: number;
    users: number;
    items: number;
    problems: Problem[];
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

function valueProblem(check: ColumnCheck, value: string): [string, string] | undefined {
    const name = check.name;
    if (value === "") {
        if (check.kind === ValueKind.id) return RULES.idEmpty(name);
        return check.nullable ? undefined : RULES.valueEmpty(name);
    }
    const characters = [...value].length;
    switch (check.kind) {
        case ValueKind.id:
            return characters > LIMITS.idCharacters ? RULES.idTooLong(name, characters) : undefined;
        case ValueKind.timestamp: {
            const match = /^[+-]?(\d+)$/.exec(value);
            if (!match) return RULES.timestampInteger(name, value);
            if (match[1].length === 13) return RULES.timestampMilliseconds(name, value);
            return match[1].length > 13 ? RULES.timestampRange(name, value) : undefined;
        }
        case ValueKind.number:
            return /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(value) ? undefined : RULES.notANumber(name, value);
        case ValueKind.int:
        case ValueKind.long: {
            const bits = check.kind === ValueKind.int ? 31n : 63n;
            const ok = /^[+-]?\d+$/.test(value) && BigInt(value) >= -(2n ** bits) && BigInt(value) < 2n ** bits;
            return ok ? undefined : RULES.schemaType(name, value, check.kind === ValueKind.int ? "int" : "long");
        }
        case ValueKind.boolean:
            return /^(true|false)$/i.test(value) ? undefined : RULES.schemaType(name, value, "boolean");
        case ValueKind.categorical:
            return characters > LIMITS.categoricalCharacters ? RULES.categoricalTooLong(name, characters) : undefined;
    }
    return undefined;
}

/** Checks one file's header and rows; cross-file rules and size limits are not part of the oracle. */
export function checkWithCsvParse(file: DataFile, schema?: DatasetSchema): Promise<OracleResult> {
    const problems: Problem[] = [];
    const add = (line: number, [rule, message]: [string, string]) => problems.push({ path: file.path, line, rule, message });
    const users = new Map<string, number>();
    const items = new Set<string>();
    let rows = 0;
    let checks: ColumnCheck[] | undefined;
    let fieldCount = 0;
    let userColumn = -1;
    let itemColumn = -1;
    // csv-parse's info.lines counts a CR inside a value as a line break too; lines are LF-terminated here (as for
    // wc -l and the checker), so they are counted from each record's raw text.
    let line = 1;

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
                    add(1, RULES.headerBom());
                if (checks) rows++;
                add(line, RULES.unclosedQuote());
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
                    add(1, RULES.headerBom());
                    names[0] = names[0].slice(1);
                }
                if (!fields.every(f => isUtf8(f))) return add(1, RULES.invalidUtf8());
                if (fields.some(f => f.includes(0x0a))) return add(1, RULES.quotedLineBreak());
                // csv-parse does not say which fields were quoted: read the header again with quoting off.
                const literal: string[] =
                    parseSync(
                        Buffer.from(raw, "latin1")
                            .toString("utf8")
                            .replace(/^\ufeff/, "")
                            .replace(/\r?\n$/, ""),
                        { quote: false, relax_column_count: true },
                    )[0] ?? [];
                const header = checkHeader(
                    names.map((name, i) => ({ name, quoted: literal[i]?.startsWith('"') ?? false })),
                    file.datasetType,
                    schema,
                );
                header.findings.forEach(f => add(1, f));
                ({ checks, fieldCount, userColumn, itemColumn } = header.plan);
                return;
            }
            if (!checks) return;
            rows++;
            if (!fields.every(f => isUtf8(f))) return add(line, RULES.invalidUtf8());
            if (fields.some(f => f.includes(0x0a))) return add(line, RULES.quotedLineBreak());
            if (fields.length === 1 && fields[0].length === 0 && !raw.startsWith('"')) return add(line, RULES.blankLine());
            if (fields.length !== fieldCount) return add(line, RULES.fieldCount(fieldCount, fields.length));
            for (const check of checks) {
                const value = fields[check.index].toString("utf8");
                const problem = valueProblem(check, value);
                if (problem) add(line, problem);
                if (value === "") continue;
                if (check.index === userColumn) users.set(value, (users.get(value) ?? 0) + 1);
                if (check.index === itemColumn) items.add(value);
            }
        };
        parser.on("error", reject);
        parser.on("end", () => {
            if (line === 1 && problems.length === 0) add(1, RULES.headerMissing());
            resolve({ rows, users: users.size, items: items.size, problems });
        });
        createReadStream(file.path, { highWaterMark: 1 << 20 })
            .on("error", reject)
            .pipe(parser);
    });
}
