/**
 * The query that checks the data rows of one dataset, generated from the rule table (rules/value-rules.ts, the
 * line rules of rules/table.ts) and the column plans the file stage derived from each file's header. It reads the
 * dataset's lines once (Athena bills the bytes each scan reads) and returns one row per file with a count and two
 * example values per rule and column ("slots"), and for Item interactions one row of user counts and one of event
 * types, from one GROUP BY with grouping sets.
 *
 * Lines are records: what the stream engine reports per record, this reports per line. A line is a file's header
 * when its text is the header's; a file whose header text recurs as data has each copy but one counted as data.
 */
import { ColumnCheck, ColumnPlan } from "../../rules/header";
import { DatasetType } from "../../rules/dataset-type";
import { VALUE_RULES } from "../../rules/value-rules";
import { MAX_RECORD_BYTES } from "../stream/scanner";
import { closedOnLine, compileTest, fieldValue, fields, literal } from "./compile";
import type { Dialect } from "./dialect";

/** Files that share a header line, and so a column plan. */
export interface FileGroup {
    headerText: string;
    plan: ColumnPlan;
    paths: string[];
}

/** What a slot of the result counts. */
export type Slot =
    | { kind: "line"; rule: LineRule }
    /** A value rule of one checked column (`check`, the index in its group's plan) of one group of files. */
    | { kind: "value"; group: number; check: number; column: ColumnCheck; rule: string };

/**
 * Rules about a line as a whole, in the stream engine's order of precedence. `quote-open` is a line whose quote is
 * not closed on it: the stream engine's quoted-line-break or unclosed-quote, told apart afterwards (results.ts).
 */
export const LINE_RULES = ["record-too-long", "quote-open", "invalid-utf8", "blank-line", "field-count"] as const;
export type LineRule = (typeof LINE_RULES)[number];

export interface DatasetQuery {
    sql: string;
    slots: Slot[];
}

/** Grouping set bitmasks of grouping(path, user_id, event_type): 1 marks a column not grouped on. */
export const GROUPING = { file: 3, users: 5, events: 6 } as const;
/** Distinct event types listed (the quota is 10 with the metadata fields; more only makes the message longer). */
export const EVENT_TYPES_LISTED = 64;

const indent = (lines: string[], by = "    ") => lines.map(l => by + l).join(",\n");

export function datasetQuery(d: Dialect, type: DatasetType, groups: FileGroup[]): DatasetQuery {
    const paths = groups.flatMap(g => g.paths);
    const byGroup = (values: (g: FileGroup, i: number) => string) =>
        groups.length === 1 ? values(groups[0], 0) : `CASE grp ${groups.map((g, i) => `WHEN ${i} THEN ${values(g, i)}`).join(" ")} END`;
    const group =
        groups.length === 1 ? "0" : `CASE path ${groups.flatMap((g, i) => g.paths.map(p => `WHEN ${literal(p)} THEN ${i}`)).join(" ")} END`;

    const lineRule = `CASE ${[
        // The stream engine counts a record's bytes with its line break (assumed one byte here).
        `WHEN bytes >= ${MAX_RECORD_BYTES} THEN 'record-too-long'`,
        `WHEN NOT closed THEN 'quote-open'`,
        `WHEN NOT utf8 THEN 'invalid-utf8'`,
        `WHEN line = '' THEN 'blank-line'`,
        `WHEN ${d.size("fields")} <> ${byGroup(g => String(g.plan.fieldCount))} THEN 'field-count'`,
    ].join(" ")} END`;

    // Values, per group and checked column, on lines without a line rule.
    const values: string[] = [];
    const rules: string[] = [];
    const slots: Slot[] = LINE_RULES.map(rule => ({ kind: "line", rule }) as Slot);
    const value = (g: number, c: number) => `v_${g}_${c}`;
    const rule = (g: number, c: number) => `r_${g}_${c}`;
    const valueOf = (index: number) => fieldValue(d.element("fields", index + 1));
    groups.forEach((g, gi) => {
        g.plan.checks.forEach((check, ci) => {
            values.push(`CASE WHEN grp = ${gi} AND line_rule IS NULL THEN ${valueOf(check.index)} END AS ${value(gi, ci)}`);
            const kind = VALUE_RULES[check.kind];
            const v = value(gi, ci);
            const empty = kind.emptyAlways || !check.nullable ? [`WHEN ${v} = '' THEN ${literal(kind.empty(check.name)[0])}`] : [];
            const cases = [
                ...(empty.length ? empty : [`WHEN ${v} = '' THEN NULL`]),
                ...kind.rules.map(r => `WHEN ${compileTest(d, r.when, v)} THEN ${literal(r.rule)}`),
            ];
            rules.push(`CASE ${cases.join(" ")} END AS ${rule(gi, ci)}`);
            const ruleIds = [...(empty.length ? [kind.empty(check.name)[0]] : []), ...kind.rules.map(r => r.rule)];
            // One slot per rule id: int and long share schema-type with no other rule of their kind.
            for (const id of new Set(ruleIds)) slots.push({ kind: "value", group: gi, check: ci, column: check, rule: id });
        });
    });
    const userValue = byGroupOrNull(
        groups,
        g => g.plan.userColumn,
        (gi, c) => value(gi, c),
    );
    const eventValue =
        type === "interactions"
            ? byGroupOrNull(
                  groups,
                  g => g.plan.eventTypeColumn,
                  (gi, index) => `CASE WHEN grp = ${gi} AND line_rule IS NULL THEN ${valueOf(index)} END`,
                  true,
              )
            : "NULL";

    // Per slot: rows that break it, header lines among them, and two example values (none from a header line).
    const slotColumns = slots.flatMap((slot, i) => {
        const hit = slot.kind === "line" ? `line_rule = ${literal(slot.rule)}` : `${rule(slot.group, slot.check)} = ${literal(slot.rule)}`;
        const example =
            slot.kind === "value"
                ? value(slot.group, slot.check)
                : slot.rule === "field-count"
                  ? `CAST(${d.size("fields")} AS VARCHAR)`
                  : "CAST(NULL AS VARCHAR)";
        return [
            `count_if(${hit}) AS s${i}_rows`,
            `count_if(${hit} AND is_header) AS s${i}_headers`,
            `min(CASE WHEN ${hit} AND NOT is_header THEN ${example} END) AS s${i}_min`,
            `max(CASE WHEN ${hit} AND NOT is_header THEN ${example} END) AS s${i}_max`,
        ];
    });

    const interactions = type === "interactions";
    const sql = `WITH
lines AS (
    ${d.lines}
),
parsed AS (
    SELECT path, line, utf8, bytes, ${group} AS grp, ${closedOnLine(d, "line")} AS closed, ${fields(d, "line")} AS fields
    FROM lines
    WHERE path IN (${paths.map(literal).join(", ")})
),
ruled AS (
    SELECT path, grp, line, fields, line = ${byGroup(g => literal(g.headerText))} AS is_header,
        strpos(line, '"') > 0 AND closed AS quoted, ${lineRule} AS line_rule
    FROM parsed
),
valued AS (
    SELECT path, grp, fields, is_header, quoted, line_rule${values.length ? `,\n${indent(values, "        ")}` : ""}
    FROM ruled
),
checked AS (
    SELECT *${rules.length ? `,\n${indent(rules, "        ")}` : ""},
        ${interactions ? `CASE WHEN ${userValue} <> '' THEN ${userValue} END` : "CAST(NULL AS VARCHAR)"} AS user_id,
        ${interactions ? `CASE WHEN ${eventValue} <> '' THEN ${eventValue} END` : "CAST(NULL AS VARCHAR)"} AS event_type
    FROM valued
),
grouped AS (
    SELECT grouping(path, user_id, event_type) AS g, path, user_id, event_type, count(*) AS n,
        count(DISTINCT CASE WHEN is_header THEN path END) AS header_files,
        count_if(quoted AND NOT is_header) AS quoted_lines,
${indent(slotColumns, "        ")}
    FROM checked
    GROUP BY GROUPING SETS ((path), (user_id), (event_type))
)
SELECT CASE g WHEN ${GROUPING.file} THEN 'file' WHEN ${GROUPING.users} THEN 'users' ELSE 'events' END AS kind,
    CASE WHEN g = ${GROUPING.file} THEN path END AS path,
    max(CASE WHEN g = ${GROUPING.file} THEN n - header_files END) AS rows,
    max(quoted_lines) AS quoted_lines,
    count_if(g = ${GROUPING.users} AND user_id IS NOT NULL AND n - header_files >= 2) AS users_two_or_more,
    count_if(g = ${GROUPING.users} AND user_id IS NOT NULL AND n - header_files >= 1) AS users,
    count_if(g = ${GROUPING.events} AND event_type IS NOT NULL AND n - header_files >= 1) AS event_types,
    ${d.jsonHead(`array_agg(event_type ORDER BY event_type) FILTER (WHERE g = ${GROUPING.events} AND event_type IS NOT NULL AND n - header_files >= 1)`, EVENT_TYPES_LISTED)} AS event_type_list,
${indent(
    slots.flatMap((_, i) => [
        `max(s${i}_rows) AS s${i}_rows`,
        `max(s${i}_headers) AS s${i}_headers`,
        `max(s${i}_min) AS s${i}_min`,
        `max(s${i}_max) AS s${i}_max`,
    ]),
    "    ",
)}
FROM grouped
WHERE g IN (${GROUPING.file}, ${GROUPING.users}, ${GROUPING.events})
GROUP BY 1, 2`;
    return { sql, slots };
}

/**
 * A column's value per group: the value column of its check (or, `direct`, the column read straight from the fields
 * even when no rule checks it), NULL in groups that lack the column.
 */
function byGroupOrNull(
    groups: FileGroup[],
    column: (g: FileGroup) => number,
    valueOf: (group: number, checkOrIndex: number) => string,
    direct = false,
): string {
    const parts = groups.flatMap((g, gi) => {
        const index = column(g);
        if (index < 0) return [];
        if (direct) return [valueOf(gi, index)];
        const check = g.plan.checks.findIndex(c => c.index === index);
        return check < 0 ? [] : [valueOf(gi, check)];
    });
    return parts.length === 0 ? "NULL" : parts.length === 1 ? parts[0] : `coalesce(${parts.join(", ")})`;
}
