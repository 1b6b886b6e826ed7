import { DATASET_COLUMNS, DatasetType } from "./dataset-type";
import { LIMITS, RULES } from "./table";
import { DatasetSchema, SchemaField } from "./schema";

/** What a column's values are checked as. Numbers, not strings, because the row loop switches on them per value. */
export const ValueKind = {
    id: 1,
    timestamp: 2,
    number: 3,
    int: 4,
    long: 5,
    boolean: 6,
    categorical: 7,
    /** A string with no limit: only checked for emptiness when not nullable. */
    string: 8,
    /** A whole number without a schema to say its size (the Actions REPEAT_FREQUENCY, in days). */
    wholeNumber: 9,
} as const;

export interface ColumnCheck {
    index: number;
    name: string;
    kind: number;
    nullable: boolean;
}

/** The per-row work a header implies. Plain data so it can be posted to a worker thread. */
export interface ColumnPlan {
    fieldCount: number;
    checks: ColumnCheck[];
    /** Column indexes whose distinct values are counted, or -1. */
    userColumn: number;
    itemColumn: number;
    /** Item interactions: the EVENT_TYPE column whose distinct values are collected, or -1. */
    eventTypeColumn: number;
    /** Item interactions: the optional fields that count toward the quota on event types and metadata together. */
    eventTypeQuotaFields: string[];
}

export interface HeaderField {
    name: string;
    quoted: boolean;
}

export type RuleFinding = [rule: string, message: string];

const TIMESTAMP_COLUMNS = ["TIMESTAMP", "CREATION_TIMESTAMP", "EXPIRATION_TIMESTAMP"];
/** The reserved Item interactions fields that count with the event types toward their quota (LIMITS.eventTypesAndMetadata). */
const EVENT_TYPE_QUOTA_RESERVED = ["EVENT_TYPE", "EVENT_VALUE"];
const ID_COLUMNS = ["USER_ID", "ITEM_ID", "ACTION_ID"];

/**
 * Reserved Actions columns and what their values are without a schema
 * (https://docs.aws.amazon.com/personalize/latest/dg/actions-datasets.html: the action's value, how often it may be
 * recommended again in days, creation and expiration timestamps in Unix epoch seconds). They are metadata fields.
 */
const ACTION_COLUMNS: Record<string, number> = { VALUE: ValueKind.number, REPEAT_FREQUENCY: ValueKind.wholeNumber };

/** Checks the header row (line 1) and derives the column plan for the data rows. */
export function checkHeader(
    fields: HeaderField[],
    type: DatasetType,
    schema?: DatasetSchema,
): { plan: ColumnPlan; findings: RuleFinding[] } {
    const findings: RuleFinding[] = [];
    const spec = DATASET_COLUMNS[type];
    const schemaByUpper = new Map<string, SchemaField>((schema?.fields ?? []).map(f => [f.name.toUpperCase(), f]));
    const canonicalNames = schema
        ? schema.fields.map(f => f.name)
        : [
              ...spec.required,
              ...spec.reserved,
              ...ID_COLUMNS,
              ...TIMESTAMP_COLUMNS,
              ...(type === "actions" ? Object.keys(ACTION_COLUMNS) : []),
          ];
    const canonicalByUpper = new Map(canonicalNames.map(n => [n.toUpperCase(), n]));

    const delimited = fields.find(f => /[;\t]/.test(f.name));
    if (delimited) findings.push(RULES.headerDelimiter(delimited.name, /;/.test(delimited.name) ? ";" : "\t"));
    const seen = new Set<string>();
    fields.forEach((f, i) => {
        if (f.quoted) findings.push(RULES.headerQuoted(f.name));
        if (f.name.includes(" ")) findings.push(RULES.headerSpace(f.name));
        if (f.name === "") findings.push(RULES.headerEmptyColumn(i + 1));
        else if (seen.has(f.name.toUpperCase())) findings.push(RULES.headerDuplicateColumn(f.name));
        seen.add(f.name.toUpperCase());
        const canonical = canonicalByUpper.get(f.name.toUpperCase());
        if (canonical !== undefined && canonical !== f.name) findings.push(RULES.headerCase(f.name, canonical));
    });

    const required = [...spec.required];
    for (const f of schema?.fields ?? []) if (!f.nullable && !required.includes(f.name)) required.push(f.name);
    const missing = required.filter(name => !seen.has(name.toUpperCase()));
    if (missing.length > 0) findings.push(RULES.missingColumns(missing));

    const nonMetadata = new Set([...spec.required, ...spec.reserved].map(n => n.toUpperCase()));
    const metadata = fields.map(f => f.name).filter(n => n !== "" && !nonMetadata.has(n.toUpperCase()));
    if (metadata.length < spec.minMetadata) findings.push(RULES.metadataMissing(type, spec.required[0]));
    if (metadata.length > spec.maxMetadata) findings.push(RULES.metadataTooMany(type, metadata, spec.maxMetadata));
    if (spec.maxColumns !== undefined && fields.length > spec.maxColumns)
        findings.push(RULES.columnsTooMany(type, fields.length, spec.maxColumns));

    if (schema) {
        for (const f of fields) {
            if (f.name !== "" && !schemaByUpper.has(f.name.toUpperCase())) findings.push(RULES.schemaUnknownColumn(f.name, schema.path));
        }
        const textual = schema.fields.filter(f => f.textual).map(f => f.name);
        if (type === "items" && textual.length > LIMITS.itemsTextualFields) findings.push(RULES.textualTooMany(textual, schema.path));
    }

    const checks: ColumnCheck[] = [];
    fields.forEach((f, index) => {
        const upper = f.name.toUpperCase();
        const field = schemaByUpper.get(upper);
        if (schema && !field) return;
        const check = columnCheck(upper, field, type);
        if (check) checks.push({ index, name: f.name, ...check });
    });
    const upperNames = fields.map(f => f.name.toUpperCase());
    return {
        plan: {
            fieldCount: fields.length,
            checks,
            userColumn: upperNames.indexOf("USER_ID"),
            itemColumn: upperNames.indexOf("ITEM_ID"),
            eventTypeColumn: type === "interactions" ? upperNames.indexOf("EVENT_TYPE") : -1,
            eventTypeQuotaFields:
                type === "interactions"
                    ? fields.map(f => f.name).filter(n => EVENT_TYPE_QUOTA_RESERVED.includes(n.toUpperCase()) || metadata.includes(n))
                    : [],
        },
        findings,
    };
}

/** Reserved names keep their Personalize meaning; other columns take their schema type, or count as categorical without a schema. */
function columnCheck(upper: string, field: SchemaField | undefined, type: DatasetType): { kind: number; nullable: boolean } | undefined {
    if (ID_COLUMNS.includes(upper)) return { kind: ValueKind.id, nullable: false };
    if (TIMESTAMP_COLUMNS.includes(upper)) return { kind: ValueKind.timestamp, nullable: field ? field.nullable : upper !== "TIMESTAMP" };
    if (!field) {
        const actionKind = type === "actions" ? ACTION_COLUMNS[upper] : undefined;
        return { kind: actionKind ?? (upper === "EVENT_VALUE" ? ValueKind.number : ValueKind.categorical), nullable: true };
    }
    const nullable = field.nullable;
    switch (field.type) {
        case "int":
            return { kind: ValueKind.int, nullable };
        case "long":
            return { kind: ValueKind.long, nullable };
        case "float":
        case "double":
            return { kind: ValueKind.number, nullable };
        case "boolean":
            return { kind: ValueKind.boolean, nullable };
        case "string":
            if (field.categorical) return { kind: ValueKind.categorical, nullable };
            return nullable ? undefined : { kind: ValueKind.string, nullable };
    }
}
