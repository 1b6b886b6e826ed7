import * as assert from "assert";
import * as path from "path";
import { DataFile, checkDataFiles, datasetTypeFromFileName, formatProblem } from "../../datacheck";
import { TempFolder } from "./temp-files";

const FIXTURES = path.join(__dirname, "fixtures");
const fixture = (name: string) => path.join(FIXTURES, name);

/** The formatted problems of one file checked on its own (cross-file minimums left out). */
async function problemsOf(name: string, schema?: string): Promise<string[]> {
    const file: DataFile = { path: fixture(name), datasetType: datasetTypeFromFileName(name)!, schemaPath: schema && fixture(schema) };
    const report = await checkDataFiles([file]);
    return report.files[0].problems.map(formatProblem).map(line => line.slice(FIXTURES.length + 1));
}

describe("data-check rules (one fixture per rule)", () => {
    const cases: [fixture: string, expected: string[], schema?: string][] = [
        [
            "interactions-header-missing.csv",
            [
                "interactions-header-missing.csv:1: header-missing: the file is empty; the first line must be the header naming the columns (e.g. USER_ID,ITEM_ID,TIMESTAMP)",
            ],
        ],
        [
            "interactions-header-bom.csv",
            [
                "interactions-header-bom.csv:1: header-bom: the file starts with a UTF-8 byte-order mark; remove the byte-order mark (save as UTF-8 without BOM)",
            ],
        ],
        [
            "interactions-header-quoted.csv",
            ['interactions-header-quoted.csv:1: header-quoted: column name "USER_ID" is quoted; write header names without quotes'],
        ],
        [
            "items-header-empty-column.csv",
            ["items-header-empty-column.csv:1: header-empty-column: column 2 has no name; name every column after its schema field"],
        ],
        [
            "items-header-duplicate-column.csv",
            ["items-header-duplicate-column.csv:1: header-duplicate-column: column GENRE appears more than once; keep one"],
        ],
        [
            "interactions-header-case.csv",
            [
                "interactions-header-case.csv:1: header-case: column user_id must be written USER_ID: header names match the schema field names exactly",
            ],
        ],
        [
            "interactions-header-space.csv",
            [
                'interactions-header-space.csv:1: header-space: column name " ITEM_ID" has a space in it; header names are schema field names (letters, digits and _): write ITEM_ID',
                'interactions-header-space.csv:1: header-space: column name " TIMESTAMP" has a space in it; header names are schema field names (letters, digits and _): write TIMESTAMP',
                "interactions-header-space.csv:1: missing-columns: Input CSV is missing the following columns: [ITEM_ID, TIMESTAMP]; add them to the header",
            ],
        ],
        [
            "interactions-header-delimiter.csv",
            [
                'interactions-header-delimiter.csv:1: header-delimiter: column name "USER_ID;ITEM_ID;TIMESTAMP" holds ";": is the file ";"-separated? Personalize reads comma-separated values only: save it with , between values',
                "interactions-header-delimiter.csv:1: missing-columns: Input CSV is missing the following columns: [USER_ID, ITEM_ID, TIMESTAMP]; add them to the header",
            ],
        ],
        [
            "interactions-missing-columns.csv",
            [
                "interactions-missing-columns.csv:1: missing-columns: Input CSV is missing the following columns: [ITEM_ID, TIMESTAMP]; add them to the header",
            ],
        ],
        [
            "items-metadata-missing.csv",
            ["items-metadata-missing.csv:1: metadata-missing: the items dataset needs ITEM_ID and at least one metadata column; add one"],
        ],
        [
            "users-metadata-too-many.csv",
            [
                `users-metadata-too-many.csv:1: metadata-too-many: the users dataset takes at most 25 metadata columns, found 26 (${Array.from({ length: 26 }, (_, i) => `M${i + 1}`).join(", ")}); drop some`,
            ],
        ],
        [
            "interactions-field-count.csv",
            [
                'interactions-field-count.csv:3: field-count: expected 4 fields as in the header, found 3; quote values that contain commas ("a,b")',
            ],
        ],
        [
            "interactions-blank-line.csv",
            ["interactions-blank-line.csv:3: blank-line: the line is empty; remove it (one record per line; a final line break is fine)"],
        ],
        [
            "interactions-quoted-line-break.csv",
            [
                "interactions-quoted-line-break.csv:2: quoted-line-break: a quoted value contains a line break; put each record on one line (remove line breaks from values)",
            ],
        ],
        [
            "interactions-unclosed-quote.csv",
            [
                'interactions-unclosed-quote.csv:3: unclosed-quote: a quoted value is never closed; end it with " and double any quote inside it ("")',
            ],
        ],
        [
            "interactions-invalid-utf8.csv",
            ["interactions-invalid-utf8.csv:3: invalid-utf8: the line is not valid UTF-8; save the file as UTF-8"],
        ],
        ["interactions-id-empty.csv", ["interactions-id-empty.csv:3: id-empty: USER_ID is empty; every record needs one"]],
        [
            "interactions-id-too-long.csv",
            ["interactions-id-too-long.csv:2: id-too-long: ITEM_ID is 257 characters; IDs can be at most 256"],
        ],
        [
            "interactions-timestamp-milliseconds.csv",
            [
                "interactions-timestamp-milliseconds.csv:3: timestamp-milliseconds: TIMESTAMP 1700000000123 is in milliseconds: divide by 1000 (Unix epoch seconds)",
            ],
        ],
        [
            "interactions-timestamp-integer.csv",
            ['interactions-timestamp-integer.csv:2: timestamp-integer: TIMESTAMP "2023-11-14" is not an integer; use Unix epoch seconds'],
        ],
        [
            "interactions-timestamp-range.csv",
            [
                'interactions-timestamp-range.csv:2: timestamp-range: TIMESTAMP "1700000000123456" has 16 digits, too many for Unix epoch seconds; convert to seconds',
            ],
        ],
        [
            "interactions-not-a-number.csv",
            ['interactions-not-a-number.csv:3: not-a-number: EVENT_VALUE "high" is not a number; write a decimal number (e.g. 3.5)'],
        ],
        [
            "interactions-categorical-too-long.csv",
            [
                "interactions-categorical-too-long.csv:2: categorical-too-long: EVENT_TYPE is 1001 characters; categorical values can be at most 1000 (several values separated by |)",
            ],
        ],
        [
            "items-value-empty.csv",
            [
                'items-value-empty.csv:2: value-empty: PRICE is empty but required; fill it (with a schema: or make the field type ["null", ...])',
            ],
            "items-schema.json",
        ],
        [
            "items-schema-unknown-column.csv",
            [
                `items-schema-unknown-column.csv:1: schema-unknown-column: column COLOR is not a field of ${fixture("items-schema.json")}; remove the column or add the field to the schema`,
            ],
            "items-schema.json",
        ],
        [
            "items-schema-type.csv",
            [
                'items-schema-type.csv:2: schema-type: ON_SALE "yes" is not a valid boolean as the schema says; fix the value or the field type',
                'items-schema-type.csv:3: schema-type: STOCK "2147483648" is not a valid int as the schema says; fix the value or the field type',
            ],
            "items-schema.json",
        ],
        [
            "items-valid.csv",
            [
                `items-schema-broken.json: schema-invalid: field PRICE has type "decimal"; use one of string, int, long, float, double, boolean, optionally in a union with "null"; fix the schema (Avro JSON as taken by CreateSchema), or the path in the config personalize-data-bucket:schemas (check-data: --schema) — the data was checked without it`,
            ],
            "items-schema-broken.json",
        ],
        [
            "actions-metadata-missing.csv",
            [
                "actions-metadata-missing.csv:1: metadata-missing: the actions dataset needs ACTION_ID and at least one metadata column; add one",
            ],
        ],
        [
            "actions-columns-too-many.csv",
            [
                "actions-columns-too-many.csv:1: columns-too-many: the actions dataset takes at most 10 columns, found 11; drop some (Personalize guide, Actions dataset)",
            ],
        ],
        [
            "actions-values.csv",
            [
                "actions-values.csv:2: timestamp-milliseconds: EXPIRATION_TIMESTAMP 1735689600000 is in milliseconds: divide by 1000 (Unix epoch seconds)",
                'actions-values.csv:3: not-a-whole-number: REPEAT_FREQUENCY "weekly" is not a whole number; write an integer (e.g. 7)',
            ],
        ],
        [
            "action_interactions-missing-columns.csv",
            [
                "action_interactions-missing-columns.csv:1: missing-columns: Input CSV is missing the following columns: [EVENT_TYPE]; add them to the header",
            ],
        ],
    ];
    for (const [name, expected, schema] of cases) {
        it(`${name}${schema ? ` with ${schema}` : ""}`, async () => assert.deepStrictEqual(await problemsOf(name, schema), expected));
    }

    it("passes valid files of each type (quoted commas, escaped quotes, CRLF, UTF-8, empty last line)", async () => {
        assert.deepStrictEqual(await problemsOf("items-valid.csv"), []);
        assert.deepStrictEqual(await problemsOf("users-valid.csv"), []);
        assert.deepStrictEqual(await problemsOf("items-schema-valid.csv", "items-schema.json"), []);
        // Small files of the Actions datasets pass: the guide gives them no minimum record count.
        assert.deepStrictEqual(await problemsOf("actions-valid.csv"), []);
        assert.deepStrictEqual(await problemsOf("action_interactions-valid.csv"), []);
    });

    it("an Actions file of exactly 10 columns passes", async () => {
        const temp = new TempFolder();
        try {
            const file = temp.write("actions-ten.csv", "ACTION_ID,A,B,C,D,E,F,G,H,I\nx,1,2,3,4,5,6,7,8,9\n");
            assert.deepStrictEqual((await checkDataFiles([{ path: file, datasetType: "actions" }])).files[0].problems, []);
        } finally {
            temp.remove();
        }
    });
});

describe("data-check limits and cross-file rules", () => {
    const temp = new TempFolder();
    after(() => temp.remove());

    /** Interactions rows: `users` users with `perUser` interactions each. */
    const interactions = (users: number, perUser: number, prefix = "u") => {
        let rows = "USER_ID,ITEM_ID,TIMESTAMP,EVENT_TYPE\n";
        for (let u = 0; u < users; u++) for (let k = 0; k < perUser; k++) rows += `${prefix}${u},i${k},${1_700_000_000 + k},click\n`;
        return rows;
    };

    it("passes a valid interactions file that meets the minimums", async () => {
        const report = await checkDataFiles([
            { path: temp.write("interactions-valid.csv", interactions(40, 25)), datasetType: "interactions" },
        ]);
        assert.deepStrictEqual(report.files[0].problems, []);
        assert.deepStrictEqual(report.problems, []);
        assert.strictEqual(report.ok, true);
        assert.deepStrictEqual([report.files[0].rows, report.files[0].users, report.files[0].items], [1000, 40, 25]);
    });

    it("reports too few records and users across all interactions files, naming the dataset and its files", async () => {
        const a = temp.write("interactions-few-a.csv", interactions(10, 2));
        const b = temp.write("interactions-few-b.csv", interactions(10, 1, "v"));
        const report = await checkDataFiles([
            { path: a, datasetType: "interactions" },
            { path: b, datasetType: "interactions" },
        ]);
        assert.deepStrictEqual(report.problems.map(formatProblem), [
            `interactions dataset (${a}, ${b}): interactions-min-records: the interactions data has 30 records in 2 files; Personalize takes at least 1,000 in an import job of Item interactions, and needs as many to train`,
            `interactions dataset (${a}, ${b}): interactions-min-users: 10 users have 2 or more interactions; Personalize needs at least 25`,
        ]);
        assert.strictEqual(report.ok, false);
    });

    it("counts a user's interactions spread over several files", async () => {
        // Every user appears once in each file: neither file meets the minimums alone, together they do.
        const a = temp.write("interactions-once-a.csv", interactions(600, 1));
        const b = temp.write("interactions-once-b.csv", interactions(600, 1));
        const alone = await checkDataFiles([{ path: a, datasetType: "interactions" }]);
        assert.deepStrictEqual(
            alone.problems.map(p => p.rule),
            ["interactions-min-records", "interactions-min-users"],
        );
        const together = await checkDataFiles([a, b].map(p => ({ path: p, datasetType: "interactions" as const })));
        assert.deepStrictEqual(together.problems, []);
    });

    it("requires 1 % of all users, across the interactions files, to have 2 or more interactions", async () => {
        // 30 users with 2 interactions in a; 3,000 others with one in b: 30 of 3,030 is under 1 %.
        const a = temp.write("interactions-share-a.csv", interactions(30, 2));
        const b = temp.write("interactions-share-b.csv", interactions(3000, 1, "v"));
        const check = (files: string[]) => checkDataFiles(files.map(path => ({ path, datasetType: "interactions" as const })));
        assert.deepStrictEqual(
            (await check([a])).problems.map(p => p.rule),
            ["interactions-min-records"],
        );
        assert.deepStrictEqual((await check([a, b])).problems.map(formatProblem), [
            `interactions dataset (${a}, ${b}): interactions-min-users-share: 30 users of 3,030 (0.99 %) have 2 or more interactions; Personalize needs at least 1 % of the users to have 2 or more`,
        ]);
        // 30 of the users of b are those of a: 30 of 3,000 users is 1 %, enough.
        const c = temp.write("interactions-share-c.csv", interactions(30, 1) + interactions(2970, 1, "v").split("\n").slice(1).join("\n"));
        assert.deepStrictEqual((await check([a, c])).problems, []);
    });

    it("takes timestamps of up to 12 digits as seconds; 13 are milliseconds, 14 and more too many", async () => {
        const timestamps = ["1", "999999999999", "1700000000123", "17000000001234", "170000000012345"];
        const file = temp.write("interactions-digits.csv", `USER_ID,ITEM_ID,TIMESTAMP\n${timestamps.map(t => `u,i,${t}\n`).join("")}`);
        const problems = (await checkDataFiles([{ path: file, datasetType: "interactions" }])).files[0].problems;
        assert.deepStrictEqual(
            problems.map(p => [p.rule, p.lines]),
            [
                ["timestamp-milliseconds", [4]],
                ["timestamp-range", [5, 6]],
            ],
        );
    });

    it("reports a rule broken on many rows once, with the number of rows and the first line numbers", async () => {
        const file = temp.write("interactions-many.csv", "USER_ID,ITEM_ID,TIMESTAMP\n" + "u,i,x\n".repeat(1_200) + ",i,1\n");
        const report = await checkDataFiles([{ path: file, datasetType: "interactions" }]);
        assert.deepStrictEqual(report.files[0].problems.map(formatProblem), [
            `${file}:2: timestamp-integer: TIMESTAMP "x" is not an integer; use Unix epoch seconds (1,200 rows: lines 2, 3, 4, 5, 6 and 1,195 more)`,
            `${file}:1202: id-empty: USER_ID is empty; every record needs one`,
        ]);
    });

    it("keeps one finding per rule and column: the same rule in two columns is two", async () => {
        const file = temp.write("interactions-two-columns.csv", "USER_ID,ITEM_ID,TIMESTAMP\n,i,1\nu,,1\n,i,1\n");
        const problems = (await checkDataFiles([{ path: file, datasetType: "interactions" }])).files[0].problems;
        assert.deepStrictEqual(
            problems.map(p => [p.line, p.rule, p.column, p.rows, p.lines]),
            [
                [2, "id-empty", "USER_ID", 2, [2, 4]],
                [3, "id-empty", "ITEM_ID", 1, [3]],
            ],
        );
    });

    it("caps the findings listed per file and counts the rows of the rest", async () => {
        const file = temp.write("interactions-capped.csv", "USER_ID,ITEM_ID,TIMESTAMP,EVENT_VALUE\n" + "u,i,x,y\n".repeat(3) + ",i,1,1\n");
        const report = await checkDataFiles([{ path: file, datasetType: "interactions" }], { maxProblemsPerFile: 1 });
        assert.deepStrictEqual(
            report.files[0].problems.map(p => [p.rule, p.rows]),
            [["timestamp-integer", 3]],
        );
        assert.strictEqual(report.files[0].truncatedProblems, 4); // 3 rows of not-a-number, 1 of id-empty
    });

    it("reports records over 1 MB, within one read or longer than the read buffer, and resumes at the next line", async () => {
        const long = (n: number) => `u2,"${"x".repeat(n)}",1\n`;
        const file = temp.write(
            "interactions-long.csv",
            `USER_ID,ITEM_ID,TIMESTAMP\nu1,i1,1\n${long(1_100_000)}u3,i3,nope\n${long(4_000_000)}u4,i4,nope\n`,
        );
        const problems = (await checkDataFiles([{ path: file, datasetType: "interactions" }])).files[0].problems;
        assert.deepStrictEqual(
            problems.map(p => `${p.lines}: ${p.rule}`),
            ["3,5: record-too-long", "4,6: timestamp-integer"],
        );
    });

    it("takes a file of any size, but no more data per dataset than one FULL import (sparse files, header only)", async () => {
        const { truncateSync } = await import("fs");
        const sparse = (name: string, header: string, bytes: number) => {
            const file = temp.write(name, `${header}\n`);
            truncateSync(file, bytes);
            return file;
        };
        const users = sparse("users-huge.csv", "USER_ID,AGE", 101 * 1024 ** 3);
        const interactions = sparse("interactions-a.csv", "USER_ID,ITEM_ID,TIMESTAMP", 60 * 1024 ** 3);
        const more = sparse("interactions-b.csv", "USER_ID,ITEM_ID,TIMESTAMP", 30 * 1024 ** 3);
        const items = sparse("items-6gb.csv", "ITEM_ID,GENRE", 6 * 1024 ** 3);
        const report = await checkDataFiles(
            [
                { path: users, datasetType: "users" },
                { path: interactions, datasetType: "interactions" },
                { path: more, datasetType: "interactions" },
                { path: items, datasetType: "items" },
            ],
            { headerOnlyAboveBytes: 1024 ** 2 },
        );
        assert.deepStrictEqual(
            report.files.map(f => [f.problems, f.headerOnly]),
            [
                [[], true],
                [[], true],
                [[], true],
                [[], true],
            ],
        );
        assert.deepStrictEqual(report.problems.map(formatProblem), [
            `users dataset (${users}): import-too-large: the users files total 101.0 GB; one users dataset import job takes at most 100.0 GB in FULL import mode (1.0 GB in INCREMENTAL mode): split the data over several INCREMENTAL imports or ask for a quota increase`,
        ]);
        // 100 GB exactly is still one import.
        const exactly = sparse("interactions-100gb.csv", "USER_ID,ITEM_ID,TIMESTAMP", 100 * 1024 ** 3);
        const edge = await checkDataFiles([{ path: exactly, datasetType: "interactions" }], { headerOnlyAboveBytes: 1024 ** 2 });
        assert.deepStrictEqual(edge.problems, []);
    });

    it("limits distinct event types and the optional fields EVENT_TYPE, EVENT_VALUE and metadata to 10 together, across the interactions files", async () => {
        /** 1,000 rows from 40 users with `events` event types, quoted every other time, and two metadata columns. */
        const rows = (events: string[], prefix: string) => {
            let text = "USER_ID,ITEM_ID,TIMESTAMP,EVENT_TYPE,DEVICE,PLACE\n";
            for (let i = 0; i < 1000; i++) {
                const event = events[i % events.length];
                text += `${prefix}${i % 40},i${i},${1_700_000_000 + i},${i % 2 ? `"${event}"` : event},phone,home\n`;
            }
            return text;
        };
        const seven = ["click", "view", "buy", "like", "share", "save", "rate"];
        const a = temp.write("interactions-events-a.csv", rows(seven, "u"));
        const check = (files: string[]) => checkDataFiles(files.map(path => ({ path, datasetType: "interactions" as const })));
        assert.deepStrictEqual((await check([a])).problems, []);
        const b = temp.write("interactions-events-b.csv", rows(["click", "skip"], "v"));
        assert.deepStrictEqual((await check([a, b])).problems.map(formatProblem), [
            `interactions dataset (${a}, ${b}): event-types-too-many: the interactions data has 8 distinct EVENT_TYPE values ("click", "view", "buy", "like", "share", "save", "rate", "skip") and 3 optional fields that count with them (EVENT_TYPE, DEVICE, PLACE); the Item interactions dataset takes at most 10 together: merge event types or drop columns`,
        ]);
        // The same when the file is checked on two threads: the event types of both halves count.
        const both = temp.write("interactions-events-both.csv", rows(seven, "u") + rows(["skip"], "v").split("\n").slice(1).join("\n"));
        const split = await checkDataFiles([{ path: both, datasetType: "interactions" }], { splitAboveBytes: 1, threads: 2 });
        assert.deepStrictEqual([split.files[0].threads, split.problems.map(p => p.rule)], [2, ["event-types-too-many"]]);
    });

    it("judges the quota on event types for the Item interactions dataset only: a Users or Items file of many metadata columns passes", async () => {
        const columns = (n: number) => Array.from({ length: n }, (_, i) => `FIELD_${i + 1}`);
        const users = temp.write("users-twenty.csv", `USER_ID,${columns(20).join(",")}\nu1,${columns(20).join(",")}\n`);
        const items = temp.write("items-eighty.csv", `ITEM_ID,${columns(80).join(",")}\ni1,${columns(80).join(",")}\n`);
        const report = await checkDataFiles([
            { path: users, datasetType: "users" },
            { path: items, datasetType: "items" },
        ]);
        assert.deepStrictEqual([report.problems, report.files.map(f => f.problems)], [[], [[], []]]);
    });

    it("999 interactions are one too few; 1,000 are enough", async () => {
        const rows = (n: number) => {
            let text = "USER_ID,ITEM_ID,TIMESTAMP\n";
            for (let i = 0; i < n; i++) text += `u${i % 40},i${i},${1_700_000_000 + i}\n`;
            return text;
        };
        const few = temp.write("interactions-999.csv", rows(999));
        const report = await checkDataFiles([{ path: few, datasetType: "interactions" }]);
        assert.deepStrictEqual(report.problems.map(formatProblem), [
            `interactions dataset (${few}): interactions-min-records: the interactions data has 999 records in 1 file; Personalize takes at least 1,000 in an import job of Item interactions, and needs as many to train`,
        ]);
        const enough = await checkDataFiles([{ path: temp.write("interactions-1000.csv", rows(1000)), datasetType: "interactions" }]);
        assert.deepStrictEqual(enough.problems, []);
    });

    it("counts distinct users exactly while the ID table grows", async () => {
        const lines = ["USER_ID,ITEM_ID,TIMESTAMP"];
        for (let u = 0; u < 200_000; u++) lines.push(`user-${u},i,1700000000`);
        for (let u = 0; u < 1_000; u++) lines.push(`user-${u * 7},i,1700000000`);
        const report = await checkDataFiles([
            { path: temp.write("interactions-users.csv", lines.join("\n")), datasetType: "interactions" },
        ]);
        const file = report.files[0];
        assert.deepStrictEqual(
            [file.rows, file.users, file.usersWithTwoOrMore, file.items, file.usersCapped],
            [201_000, 200_000, 1_000, 1, false],
        );
    });

    it("derives the dataset type from the file name", () => {
        assert.strictEqual(datasetTypeFromFileName("data/Interactions-2024.CSV"), "interactions");
        assert.strictEqual(datasetTypeFromFileName("items.csv"), "items");
        assert.strictEqual(datasetTypeFromFileName("users_part1.csv"), "users");
        assert.strictEqual(datasetTypeFromFileName("interactions.json"), undefined);
        assert.strictEqual(datasetTypeFromFileName("events.csv"), undefined);
        assert.strictEqual(datasetTypeFromFileName("actions-2024.csv"), "actions");
        assert.strictEqual(datasetTypeFromFileName("Action_Interactions.csv"), "action-interactions");
        assert.strictEqual(datasetTypeFromFileName("action-interactions-part2.csv"), "action-interactions");
        assert.strictEqual(datasetTypeFromFileName("action.csv"), undefined);
    });
});
