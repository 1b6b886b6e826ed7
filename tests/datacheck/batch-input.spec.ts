import * as assert from "assert";
import { checkBatchInputFiles, formatReport } from "../../datacheck";
import { batchInputLimits } from "../../datacheck/batch-input";
import { TempFolder } from "./temp-files";

describe("data-check batch input files (JSON Lines)", () => {
    const temp = new TempFolder();
    after(() => temp.remove());

    /** The report lines of one file, without its folder. */
    const check = async (name: string, content: string | Buffer) => {
        const file = temp.write(name, content);
        return formatReport(await checkBatchInputFiles([file])).map(line => line.slice(temp.dir.length + 1));
    };

    it("passes each documented shape, with filterValues, CRLF and a missing final line break", async () => {
        assert.deepEqual(
            await check("users.jsonl", '{"userId": "u1"}\r\n{"userId": "ü€😀", "filterValues": {"GENRES": "\\"Comedy\\""}}'),
            [],
        );
        assert.deepEqual(await check("items.json", '{"itemId": "i1"}\n{"itemId": "i2"}\n'), []);
        assert.deepEqual(await check("ranking.jsonl", '{"userId": "u1", "itemList": ["i1", "i2"]}\n'), []);
        const report = await checkBatchInputFiles([temp.write("ranked.jsonl", '{"itemList": ["i1"], "userId": "u1"}\n')]);
        assert.deepEqual([report.files[0].shape, report.files[0].records, report.ok], ['{"userId", "itemList"}', 1, true]);
    });

    const cases: Array<[name: string, content: string | Buffer, expected: string[]]> = [
        [
            "json.jsonl",
            '{"userId": "u1"\n',
            ["json.jsonl:1: batch-json: the line is not valid JSON (at character 16); write one JSON object per line"],
        ],
        [
            "array.jsonl",
            '["u1"]\n',
            ['array.jsonl:1: batch-json: the line is an array, not a JSON object; write one object per line, e.g. {"userId": "user1"}'],
        ],
        [
            "shape.jsonl",
            '{"user": "u1"}\n{"userId": "u1", "itemId": "i1"}\n',
            [
                // One finding for the rule, in the words of its first row.
                'shape.jsonl:1: batch-shape: the object has "user"; a batch input record is {"userId"}, {"itemId"} or {"userId", "itemList"}, with an optional "filterValues" (2 rows: lines 1, 2)',
            ],
        ],
        [
            "mixed.jsonl",
            '{"userId": "u1"}\n{"itemId": "i1"}\n{"itemId": "i2"}\n',
            [
                `mixed.jsonl:2: batch-shape-mixed: the record is {"itemId"} but the file's first records are {"userId"}; a file is the input of one recipe, so keep one shape per file (2 rows: lines 2, 3)`,
            ],
        ],
        [
            "ids.jsonl",
            `{"userId": 7}\n{"userId": ""}\n{"userId": "${"é".repeat(257)}"}\n{"userId": "${"é".repeat(256)}"}\n`,
            [
                'ids.jsonl:1: batch-id-type: userId is 7, not a string; write IDs as JSON strings ("userId": "…")',
                "ids.jsonl:2: id-empty: userId is empty; every record needs one",
                "ids.jsonl:3: id-too-long: userId is 257 characters; IDs can be at most 256",
            ],
        ],
        [
            "list.jsonl",
            `{"userId": "u1", "itemList": []}\n{"userId": "u1", "itemList": ["i1", 2]}\n{"userId": "u1", "itemList": ["${"x".repeat(257)}"]}\n`,
            [
                'list.jsonl:1: batch-item-list: itemList must be a non-empty list of item IDs (strings), e.g. ["item1", "item2"] (2 rows: lines 1, 2)',
                "list.jsonl:3: id-too-long: an itemList ID is 257 characters; IDs can be at most 256",
            ],
        ],
        [
            "filters.jsonl",
            '{"userId": "u1", "filterValues": {"N": 3}}\n{"userId": "u1", "filterValues": "x"}\n',
            [
                'filters.jsonl:1: batch-filter-values: filterValues must map each filter parameter to a string, e.g. {"GENRES": "\\"Comedy\\""} (https://docs.aws.amazon.com/personalize/latest/dg/filter-batch.html) (2 rows: lines 1, 2)',
            ],
        ],
        [
            "blank.jsonl",
            '{"userId": "u1"}\n\n{"userId": "u2"}\n',
            ["blank.jsonl:2: blank-line: the line is empty; remove it (one record per line; a final line break is fine)"],
        ],
        [
            "utf8.jsonl",
            Buffer.concat([Buffer.from('{"userId": "u'), Buffer.from([0xff]), Buffer.from('"}\n')]),
            ["utf8.jsonl:1: invalid-utf8: the line is not valid UTF-8; save the file as UTF-8"],
        ],
        [
            "last-line.jsonl",
            '{"userId": "u1"}\n{"userId": 5}',
            ['last-line.jsonl:2: batch-id-type: userId is 5, not a string; write IDs as JSON strings ("userId": "…")'],
        ],
        ["empty.jsonl", "", ["empty.jsonl: batch-empty: the file has no records; put one JSON object per line in it, or remove it"]],
        [
            "blank-only.jsonl",
            "\n\r\n\n",
            [
                "blank-only.jsonl:1: blank-line: the line is empty; remove it (one record per line; a final line break is fine) (3 rows: lines 1, 2, 3)",
                "blank-only.jsonl: batch-empty: the file has no records; put one JSON object per line in it, or remove it",
            ],
        ],
    ];
    for (const [name, content, expected] of cases) it(name, async () => assert.deepEqual(await check(name, content), expected));

    it("counts records, not blank lines", async () => {
        const report = await checkBatchInputFiles([temp.write("counted.jsonl", '\n{"userId": "u1"}\n\r\n{"userId": "u2"}\n\n')]);
        assert.deepEqual([report.files[0].records, report.files[0].problems.map(p => [p.rule, p.rows])], [2, [["blank-line", 3]]]);
    });

    it("checks a line that spans reads (over 1 MB)", async () => {
        const long = `{"userId": "u1", "filterValues": {"A": "${"x".repeat(1_500_000)}"}}`;
        assert.deepEqual(await check("long.jsonl", `${long}\n{"userId": 1}\n`), [
            'long.jsonl:2: batch-id-type: userId is 1, not a string; write IDs as JSON strings ("userId": "…")',
        ]);
    });

    it("limits one job's input to 1 GB and 1,000 files", () => {
        const GB = 1024 ** 3;
        assert.deepEqual(batchInputLimits([{ bytes: GB / 2 }, { bytes: GB / 2 }]), []);
        assert.deepEqual(batchInputLimits([{ bytes: GB / 2 }, { bytes: GB / 2 + 1 }]), [
            {
                path: "batch input (2 files)",
                rule: "batch-input-too-large",
                message:
                    "the batch input files total 1.0 GB; a batch inference job reads at most 1.0 GB of input: split it over several jobs (input folders)",
            },
        ]);
        assert.deepEqual(batchInputLimits(Array(1000).fill({ bytes: 1 })), []);
        assert.deepEqual(
            batchInputLimits(Array(1001).fill({ bytes: 1 })).map(p => `${p.path}: ${p.rule}: ${p.message}`),
            [
                "batch input (1,001 files): batch-input-too-many-files: there are 1,001 batch input files; a batch inference job reads at most 1,000: merge some or split the input over several jobs",
            ],
        );
    });
});
