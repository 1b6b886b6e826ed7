import * as fc from "fast-check";

/*
 * Generated CSVs full of the things that go wrong in real exports (quoted fields, CRLF, multi-byte UTF-8, broken
 * rows, odd headers), for the differential tests: the stream engine against csv-parse, and the SQL engines against
 * the stream engine. No lone CR: line readers (Athena's) end a line there, and the CSV parsers don't.
 */

const quoted = (s: string) => `"${s.replace(/"/g, '""')}"`;

const text = fc.oneof(
    fc.stringMatching(/^[a-z0-9_-]{1,8}$/),
    fc.constantFrom("a,b", 'say "hi"', "ü€😀", "tab\there", " x ", "", "a|b|c", "it's"),
    fc.string({ unit: "grapheme", maxLength: 6 }).filter(s => !/[\n\r"]/.test(s) && !s.includes("\ufffd")),
);
// Around the 256-character limit, some with a quote: written quoted, with the quote doubled, which doesn't count.
const id = fc.oneof(
    { weight: 6, arbitrary: text },
    { weight: 1, arbitrary: fc.integer({ min: 250, max: 262 }).map(n => "é".repeat(n)) },
    { weight: 1, arbitrary: fc.integer({ min: 250, max: 262 }).map(n => `${"é".repeat(n - 1)}"`) },
);
const timestamp = fc.oneof(
    { weight: 5, arbitrary: fc.integer({ min: 1_000_000_000, max: 1_999_999_999 }).map(String) },
    { weight: 1, arbitrary: fc.integer({ min: 1_000_000_000, max: 1_999_999_999 }).map(s => `${s}123`) },
    { weight: 1, arbitrary: fc.constantFrom("", "abc", "1.5", "-12", "17000000001234", "12345678901234567", "+7", "1e9") },
);
const eventValue = fc.oneof(
    fc.double({ noNaN: true, noDefaultInfinity: true }).map(String),
    fc.constantFrom("", ".5", "1.", "x", "1e", "-3e-2", "+", "4"),
);

/** How a value is written: plainly when it can be, quoted, or with a misplaced quote csv-parse reads leniently. */
const encoded = (value: fc.Arbitrary<string>) =>
    fc.tuple(value, fc.nat(9)).map(([v, how]) => {
        if (how < 2 || /[,"]/.test(v)) return quoted(v);
        if (how === 2) return `${quoted(v)}x`;
        if (how === 3) return `${v}"y`;
        return v;
    });

const goodRow = fc.tuple(encoded(id), encoded(id), encoded(timestamp), encoded(text), encoded(eventValue)).map(f => f.join(","));

const INVALID_UTF8 = [Buffer.from([0xff]), Buffer.from([0xc3]), Buffer.from([0xe2, 0x82]), Buffer.from([0xed, 0xa0, 0x80])];

/** A row as bytes, sometimes broken: a field missing or extra, a line break or invalid UTF-8 in a value. */
const row = fc.tuple(goodRow, fc.nat(19), fc.nat(3)).map(([r, mutation, which]): Buffer => {
    switch (mutation) {
        case 0:
            return Buffer.from(r.split(",").slice(0, 3).join(","));
        case 1:
            return Buffer.from(`${r},extra`);
        case 2:
            return Buffer.from(r.replace(/,/, ',"line\nbreak",'));
        case 3:
            return Buffer.concat([Buffer.from(r.slice(0, 3)), INVALID_UTF8[which], Buffer.from(r.slice(3))]);
        case 4:
            return Buffer.from("");
        default:
            return Buffer.from(r);
    }
});

export const interactionsCsv = fc
    .tuple(fc.array(fc.tuple(row, fc.boolean()), { maxLength: 25 }), fc.constantFrom("\n", "", "\n\n", ',"open\n'), fc.boolean())
    .map(([rows, ending, bom]) => {
        const parts: Buffer[] = [Buffer.from(`${bom ? "\ufeff" : ""}USER_ID,ITEM_ID,TIMESTAMP,EVENT_TYPE,EVENT_VALUE`)];
        for (const [r, crlf] of rows) parts.push(Buffer.from(crlf ? "\r\n" : "\n"), r);
        parts.push(Buffer.from(ending));
        return Buffer.concat(parts);
    });

/**
 * Unquoted Interactions rows, in a random choice and order of columns: the records the plain-record fast path reads,
 * and the ones next to them it must hand to the general scanner (a field too few or too many, a blank line, a quote
 * at the start of a value, a last record without a line break). LF or CRLF per row, also after an ID in the last
 * column; IDs around the 256-character limit; CRs and quotes inside values (so: for the stream engine's differential
 * only, as lone CRs end a line for line readers).
 */
const INTERACTION_COLUMNS = ["USER_ID", "ITEM_ID", "TIMESTAMP", "EVENT_TYPE", "EVENT_VALUE", "GENRE"];
const plainText = fc.oneof(fc.stringMatching(/^[a-z0-9_.-]{0,6}$/), fc.constantFrom("", "x\ry", 'a"b', " x ", "é", "a|b", "1700000000"));
const plainValue = (column: string) => {
    switch (column) {
        case "USER_ID":
        case "ITEM_ID":
            return fc.oneof(
                { weight: 8, arbitrary: plainText },
                { weight: 1, arbitrary: fc.integer({ min: 255, max: 257 }).map(n => "u".repeat(n)) },
            );
        case "TIMESTAMP":
            return fc.oneof(
                timestamp.filter(t => !t.includes(",")),
                plainText,
            );
        case "EVENT_VALUE":
            return fc.oneof(eventValue, plainText);
        default:
            return plainText;
    }
};
export const plainInteractionsCsv = fc.shuffledSubarray(INTERACTION_COLUMNS, { minLength: 1 }).chain(header =>
    fc
        .tuple(fc.array(fc.tuple(fc.tuple(...header.map(plainValue)), fc.nat(15), fc.boolean()), { maxLength: 20 }), fc.boolean())
        .map(([rows, finalBreak]) => {
            const lines = rows.map(([values, mutation, crlf]) => {
                const fields = mutation === 0 ? values.slice(1) : mutation === 1 ? [...values, "extra"] : mutation === 2 ? [] : values;
                const text = mutation === 3 ? `"${fields.join(",")}` : fields.join(",");
                return text + (crlf ? "\r\n" : "\n");
            });
            const body = [header.join(",") + "\n", ...lines].join("");
            return finalBreak ? body : body.replace(/\r?\n$/, "");
        }),
);

/**
 * Actions files: a random header (case, duplicates, empty and quoted names, names with spaces or another delimiter,
 * too many columns) and rows of values for it.
 */
const ACTION_COLUMNS = [
    "ACTION_ID",
    "action_id",
    "VALUE",
    "REPEAT_FREQUENCY",
    "Expiration_Timestamp",
    "EXPIRATION_TIMESTAMP",
    "LEVEL",
    "",
    '"LEVEL"',
    " LEVEL",
    "TIER ",
    "A;B",
    "C\tD",
    "A",
    "B",
    "C",
    "D",
    "E",
];
const actionValue = (column: string) => {
    switch (column.toUpperCase()) {
        case "ACTION_ID":
            return id;
        case "VALUE":
            return eventValue;
        case "REPEAT_FREQUENCY":
            return fc.oneof(fc.nat(400).map(String), fc.constantFrom("", "7.5", "weekly", "-3", "+2"));
        case "EXPIRATION_TIMESTAMP":
            return timestamp;
        default:
            return text;
    }
};
export const actionsCsv = fc.array(fc.constantFrom(...ACTION_COLUMNS), { minLength: 1, maxLength: 11 }).chain(header =>
    fc
        .array(
            fc.tuple(...header.map(c => encoded(actionValue(c)))).map(values => values.join(",")),
            { maxLength: 12 },
        )
        .map(rows => [header.join(","), ...rows].join("\n") + "\n"),
);

/** The Avro schema of schemaItemsCsv: a column of each value kind a schema gives (float, int, long, boolean). */
export const ITEMS_SCHEMA = JSON.stringify({
    type: "record",
    name: "Items",
    namespace: "com.amazonaws.personalize.schema",
    fields: [
        { name: "ITEM_ID", type: "string" },
        { name: "PRICE", type: "float" },
        { name: "STOCK", type: "int" },
        { name: "VIEWS", type: ["null", "long"] },
        { name: "ON_SALE", type: "boolean" },
        { name: "GENRE", type: "string", categorical: true },
    ],
    version: "1.0",
});

const integer = fc.oneof(
    fc.bigInt({ min: -(2n ** 65n), max: 2n ** 65n }).map(String),
    fc.constantFrom(
        "2147483647",
        "2147483648",
        "-2147483648",
        "-2147483649",
        "9223372036854775807",
        "9223372036854775808",
        "-9223372036854775808",
        "-9223372036854775809",
        "+5",
        "-0",
        "0000000000002147483647",
        "-00000000000002147483649",
        "1.0",
        "",
        " 5",
        "x",
    ),
);
const word = fc.constantFrom("true", "FALSE", "True", "yes", "", "1", "tRuE", "falsey");

/** Items rows against ITEMS_SCHEMA: integers around the int and long bounds, booleans in any case, numbers. */
export const schemaItemsCsv = fc
    .array(fc.tuple(encoded(id), encoded(eventValue), encoded(integer), encoded(integer), encoded(word), encoded(text)), { maxLength: 15 })
    .map(rows => ["ITEM_ID,PRICE,STOCK,VIEWS,ON_SALE,GENRE", ...rows.map(r => r.join(","))].join("\n") + "\n");
