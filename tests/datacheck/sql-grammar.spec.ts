import * as assert from "assert";
import { DATASET_TYPES, DatasetType } from "../../datacheck";
import { checkHeader } from "../../datacheck/rules/header";
import { DATASET_COLUMNS } from "../../datacheck/rules/dataset-type";
import { parseSchema } from "../../datacheck/rules/schema";
import { athenaDialect } from "../../datacheck/engines/sql/dialect";
import { FileGroup, datasetQuery } from "../../datacheck/engines/sql/query";
import { trinoParser } from "../harness/trino-grammar";

/*
 * The Athena queries parse with a Trino grammar, so a syntax error can't reach a user: one per dataset type, with
 * one header and with several, with a schema (every value kind), and with names and paths that need quoting.
 */

const group = (type: DatasetType, names: string[], paths: string[], schema?: ReturnType<typeof parseSchema>): FileGroup => {
    const fields = names.map(name => ({ name, quoted: false }));
    return { headerText: names.join(","), plan: checkHeader(fields, type, schema).plan, paths };
};

const SCHEMA = parseSchema(
    "items.json",
    JSON.stringify({
        type: "record",
        name: "Items",
        fields: [
            { name: "ITEM_ID", type: "string" },
            { name: "PRICE", type: "float" },
            { name: "STOCK", type: "int" },
            { name: "VIEWS", type: ["null", "long"] },
            { name: "ON_SALE", type: "boolean" },
            { name: "GENRE", type: "string", categorical: true },
            { name: "DESCRIPTION", type: "string" },
        ],
    }),
);

const queries: Array<[string, string]> = [
    ...DATASET_TYPES.map((type): [string, string] => {
        const names = [...DATASET_COLUMNS[type].required, ...DATASET_COLUMNS[type].reserved, "GENRE"];
        const one = group(type, names, ["s3://bucket/import/part-0.csv"]);
        const other = group(type, [...names].reverse(), ["s3://bucket/import/it's.csv", "s3://bucket/import/b.csv"]);
        return [`${type}, two headers`, datasetQuery(athenaDialect("personalize_data", `raw_${type}`), type, [one, other]).sql];
    }),
    [
        "items with a schema",
        datasetQuery(athenaDialect("db", 'odd"name'), "items", [
            group(
                "items",
                SCHEMA.fields.map(f => f.name),
                ["s3://b/items.csv"],
                SCHEMA,
            ),
        ]).sql,
    ],
];

describe("Athena SQL parses with the Trino grammar (dt-sql-parser)", function () {
    for (const [name, sql] of queries) it(name, () => assert.deepStrictEqual(trinoParser().validate(sql), []));

    it("and the grammar does reject a broken query", () => {
        const broken = queries[0][1].replace("GROUP BY GROUPING SETS", "GROUP GROUPING SETS");
        assert.ok(trinoParser().validate(broken).length > 0);
    });
});
