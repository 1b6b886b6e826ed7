import { promises as fs } from "fs";

/** The Avro primitive types Personalize schemas use. */
export type SchemaFieldType = "string" | "int" | "long" | "float" | "double" | "boolean";

export interface SchemaField {
    name: string;
    type: SchemaFieldType;
    /** The Avro type is a union with "null": the value may be empty. */
    nullable: boolean;
    categorical: boolean;
    /** `"textual": true`: unstructured text (an Items dataset takes one such field). */
    textual: boolean;
}

export interface DatasetSchema {
    path: string;
    fields: SchemaField[];
}

const FIELD_TYPES: readonly string[] = ["string", "int", "long", "float", "double", "boolean"];

/** Parses a CreateSchema JSON document; throws an Error whose message says what is wrong. */
export function parseSchema(schemaPath: string, text: string): DatasetSchema {
    let doc: unknown;
    try {
        doc = JSON.parse(text);
    } catch (e) {
        throw new Error(`not valid JSON (${(e as Error).message})`);
    }
    const record = doc as { type?: unknown; fields?: unknown };
    if (typeof doc !== "object" || doc === null || record.type !== "record" || !Array.isArray(record.fields)) {
        throw new Error('expected an Avro record: {"type": "record", "name": ..., "fields": [...]}');
    }
    const fields = record.fields.map((raw: unknown, i: number): SchemaField => {
        const f = raw as { name?: unknown; type?: unknown; categorical?: unknown; textual?: unknown };
        if (typeof f !== "object" || f === null || typeof f.name !== "string" || f.name === "") {
            throw new Error(`field ${i + 1} has no name`);
        }
        const members = Array.isArray(f.type) ? f.type : [f.type];
        const nonNull = members.filter(t => t !== "null");
        if (nonNull.length !== 1 || typeof nonNull[0] !== "string" || !FIELD_TYPES.includes(nonNull[0])) {
            throw new Error(
                `field ${f.name} has type ${JSON.stringify(f.type)}; use one of ${FIELD_TYPES.join(", ")}, optionally in a union with "null"`,
            );
        }
        return {
            name: f.name,
            type: nonNull[0] as SchemaFieldType,
            nullable: members.length > nonNull.length,
            categorical: f.categorical === true,
            textual: f.textual === true,
        };
    });
    return { path: schemaPath, fields };
}

export async function loadSchema(schemaPath: string): Promise<{ schema: DatasetSchema; text: string }> {
    const text = await fs.readFile(schemaPath, "utf8");
    return { schema: parseSchema(schemaPath, text), text };
}
