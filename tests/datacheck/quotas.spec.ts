import * as assert from "assert";
import { truncateSync } from "fs";
import { DatasetType, checkDataFiles } from "../../datacheck";
import { batchInputLimits } from "../../datacheck/batch-input";
import { TempFolder } from "./temp-files";

/*
 * Every quota the checker enforces, as its page states it, each at its boundary: data exactly at the limit passes,
 * data one step beyond it gets the rule. Pages re-read for this table:
 */
const QUOTAS_PAGE = "https://docs.aws.amazon.com/personalize/latest/dg/limits.html";
const INTERACTIONS_PAGE = "https://docs.aws.amazon.com/personalize/latest/dg/interactions-dataset-requirements.html";
const ACTIONS_PAGE = "https://docs.aws.amazon.com/personalize/latest/dg/actions-datasets.html";

interface Quota {
    /** The quota in the page's words. */
    quota: string;
    page: string;
    limit: number;
    /** "max": the limit passes, one more fails; "min": the limit passes, one less fails. */
    bound: "max" | "min";
    rule: string;
    /** The rule ids found on data made for `n`. */
    rulesFor(n: number): Promise<string[]>;
}

const temp = new TempFolder();
let files = 0;

/** Rule ids of a check of these files (each file's findings and the datasets'). */
async function rulesOf(csv: Array<[type: DatasetType, content: string, schema?: object]>, headerOnlyAboveBytes?: number) {
    const report = await checkDataFiles(
        csv.map(([datasetType, content, schema]) => ({
            path: temp.write(`${datasetType}-${++files}.csv`, content),
            datasetType,
            schemaPath: schema && temp.write(`schema-${files}.json`, JSON.stringify(schema)),
        })),
        { headerOnlyAboveBytes },
    );
    return [...report.files.flatMap(f => f.problems), ...report.problems].map(p => p.rule);
}

const names = (n: number, prefix = "FIELD_") => Array.from({ length: n }, (_, i) => `${prefix}${i + 1}`);
const csv = (header: string[], rows: string[][]) => [header, ...rows].map(r => r.join(",")).join("\n") + "\n";

/** Interactions: `users` users with `perUser` interactions each, then `once` users with one. */
function interactions(users: number, perUser: number, once = 0): string {
    const rows: string[][] = [];
    for (let u = 0; u < users; u++) for (let k = 0; k < perUser; k++) rows.push([`u${u}`, `i${k}`, `${1_700_000_000 + k}`]);
    for (let u = 0; u < once; u++) rows.push([`v${u}`, "i1", "1700000000"]);
    return csv(["USER_ID", "ITEM_ID", "TIMESTAMP"], rows);
}

/** A sparse file of `gigabytes` with only a header: the checker takes its size from the file system. */
function sparse(header: string, gigabytes: number): string {
    const file = temp.write(`sparse-${++files}.csv`, `${header}\n`);
    truncateSync(file, gigabytes * 1024 ** 3);
    return file;
}

const QUOTAS: Quota[] = [
    {
        quota: "Maximum number of metadata fields for a Users dataset",
        page: QUOTAS_PAGE,
        limit: 25,
        bound: "max",
        rule: "metadata-too-many",
        rulesFor: n => rulesOf([["users", csv(["USER_ID", ...names(n)], [["u1", ...names(n)]])]]),
    },
    {
        quota: "Maximum number of metadata fields for an Items dataset",
        page: QUOTAS_PAGE,
        limit: 100,
        bound: "max",
        rule: "metadata-too-many",
        rulesFor: n => rulesOf([["items", csv(["ITEM_ID", ...names(n)], [["i1", ...names(n)]])]]),
    },
    {
        quota: "Maximum number of textual fields for an Items dataset",
        page: QUOTAS_PAGE,
        limit: 1,
        bound: "max",
        rule: "textual-too-many",
        rulesFor: n => {
            const text = names(n, "TEXT_");
            const schema = {
                type: "record",
                name: "Items",
                fields: [{ name: "ITEM_ID", type: "string" }, ...text.map(name => ({ name, type: ["null", "string"], textual: true }))],
            };
            return rulesOf([["items", csv(["ITEM_ID", ...text], [["i1", ...text]]), schema]]);
        },
    },
    {
        quota: "Maximum number of metadata columns, excluding reserved fields, in an Item interactions dataset",
        page: QUOTAS_PAGE,
        limit: 5,
        bound: "max",
        rule: "metadata-too-many",
        rulesFor: n =>
            rulesOf([
                [
                    "interactions",
                    csv(["USER_ID", "ITEM_ID", "TIMESTAMP", "IMPRESSION", ...names(n)], [["u1", "i1", "1", "i2", ...names(n)]]),
                ],
            ]),
    },
    {
        quota: `Maximum number of distinct event types combined with total number of optional metadata columns in an Item interactions dataset (EVENT_TYPE and EVENT_VALUE count: ${INTERACTIONS_PAGE})`,
        page: QUOTAS_PAGE,
        limit: 10,
        bound: "max",
        rule: "event-types-too-many",
        // EVENT_TYPE, EVENT_VALUE and DEVICE, and n - 3 event types.
        rulesFor: n => {
            const events = names(n - 3, "event");
            const rows = Array.from({ length: 1000 }, (_, i) => [
                `u${i % 40}`,
                `i${i}`,
                "1700000000",
                events[i % events.length],
                "1",
                "phone",
            ]);
            return rulesOf([["interactions", csv(["USER_ID", "ITEM_ID", "TIMESTAMP", "EVENT_TYPE", "EVENT_VALUE", "DEVICE"], rows)]]);
        },
    },
    {
        quota: "Minimum number of item interaction records per dataset import job (FULL or INCREMENTAL), and to train",
        page: QUOTAS_PAGE,
        limit: 1000,
        bound: "min",
        rule: "interactions-min-records",
        // 40 users, n records between them.
        rulesFor: n =>
            rulesOf([
                [
                    "interactions",
                    csv(
                        ["USER_ID", "ITEM_ID", "TIMESTAMP"],
                        Array.from({ length: n }, (_, i) => [`u${i % 40}`, `i${i}`, "1700000000"]),
                    ),
                ],
            ]),
    },
    {
        quota: "Minimum number of unique users, with at least 2 item interactions each",
        page: QUOTAS_PAGE,
        limit: 25,
        bound: "min",
        rule: "interactions-min-users",
        rulesFor: n => rulesOf([["interactions", interactions(n, 42)]]),
    },
    {
        quota: "Minimum percentage of total number of users that must have at least 2 item interactions: 1 % (n of 10,000 users)",
        page: QUOTAS_PAGE,
        limit: 100,
        bound: "min",
        rule: "interactions-min-users-share",
        rulesFor: n => rulesOf([["interactions", interactions(n, 2, 10_000 - n)]]),
    },
    {
        quota: "Maximum number of characters for USER_ID and ITEM_ID data values",
        page: QUOTAS_PAGE,
        limit: 256,
        bound: "max",
        rule: "id-too-long",
        rulesFor: n => rulesOf([["items", csv(["ITEM_ID", "GENRE"], [["é".repeat(n), "a"]])]]),
    },
    {
        quota: "Maximum number of characters for categorical data and impression values",
        page: QUOTAS_PAGE,
        limit: 1000,
        bound: "max",
        rule: "categorical-too-long",
        rulesFor: n => rulesOf([["users", csv(["USER_ID", "TIER"], [["u1", "é".repeat(n)]])]]),
    },
    {
        quota: "An Actions dataset has at most 10 columns",
        page: ACTIONS_PAGE,
        limit: 10,
        bound: "max",
        rule: "columns-too-many",
        rulesFor: n => rulesOf([["actions", csv(["ACTION_ID", ...names(n - 1)], [["a1", ...names(n - 1)]])]]),
    },
    {
        quota: "Maximum amount of bulk data per dataset import job with FULL import mode: 100 GB (n GB of Users)",
        page: QUOTAS_PAGE,
        limit: 100,
        bound: "max",
        rule: "import-too-large",
        rulesFor: async n => {
            const file = sparse("USER_ID,AGE", n);
            const report = await checkDataFiles([{ path: file, datasetType: "users" }], { headerOnlyAboveBytes: 1024 ** 2 });
            return report.problems.map(p => p.rule);
        },
    },
    {
        quota: "Batch inference: maximum number of input files in a job",
        page: QUOTAS_PAGE,
        limit: 1000,
        bound: "max",
        rule: "batch-input-too-many-files",
        rulesFor: async n => batchInputLimits(Array.from({ length: n }, () => ({ bytes: 1 }))).map(p => p.rule),
    },
    {
        quota: "Batch inference: maximum input data per job, 1 GB (n MB)",
        page: QUOTAS_PAGE,
        limit: 1024,
        bound: "max",
        rule: "batch-input-too-large",
        rulesFor: async n => batchInputLimits([{ bytes: n * 1024 ** 2 }]).map(p => p.rule),
    },
];

describe("data-check quotas, each at its limit, from its page", () => {
    after(() => temp.remove());

    for (const q of QUOTAS) {
        const beyond = q.bound === "max" ? q.limit + 1 : q.limit - 1;
        it(`${q.quota}: ${q.limit} (${q.page})`, async () => {
            assert.ok(!(await q.rulesFor(q.limit)).includes(q.rule), `${q.limit} must pass`);
            assert.ok((await q.rulesFor(beyond)).includes(q.rule), `${beyond} must be refused with ${q.rule}`);
        });
    }
});
