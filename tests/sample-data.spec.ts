import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { checkBatchInputFiles, formatReport } from "../datacheck";
import { sampleData } from "../scripts/generate-sample-data";
import { PROJECT_DIR } from "../offline/program";

describe("sample data", () => {
    const files = sampleData();

    it("is what scripts/generate-sample-data.ts writes", () => {
        for (const [name, content] of Object.entries(files)) {
            assert.equal(fs.readFileSync(path.join(PROJECT_DIR, "data", name), "utf8"), content, `data/${name} is stale: run the script`);
        }
        // Nothing else: a folder or other file in data/ would be warned about as ignored on every stack.
        assert.deepEqual(fs.readdirSync(path.join(PROJECT_DIR, "data")).sort(), Object.keys(files).sort());
    });

    it("has batch input samples that pass the batch input checks and name users of users.csv", async () => {
        const dir = path.join(PROJECT_DIR, "batch-input");
        const paths = fs.readdirSync(dir).map(name => path.join(dir, name));
        const report = await checkBatchInputFiles(paths);
        assert.deepEqual(formatReport(report), []);
        assert.deepEqual(
            report.files.map(f => [path.basename(f.path), f.shape, f.records]),
            [["users.jsonl", '{"userId"}', 3]],
        );
        const users = new Set(
            files["users.csv"]
                .trim()
                .split("\n")
                .slice(1)
                .map(row => row.split(",")[0]),
        );
        const named = fs
            .readFileSync(paths[0], "utf8")
            .trim()
            .split("\n")
            .map(line => JSON.parse(line).userId as string);
        assert.deepEqual(
            named.filter(u => !users.has(u)),
            [],
        );
    });

    it("meets Personalize's training minimums: 1,000 interactions, 25 users with 2 or more", () => {
        const rows = files["interactions.csv"].trim().split("\n").slice(1);
        assert.ok(rows.length >= 1000, `${rows.length} interactions`);
        const perUser = new Map<string, number>();
        for (const row of rows) perUser.set(row.split(",")[0], (perUser.get(row.split(",")[0]) ?? 0) + 1);
        assert.ok([...perUser.values()].filter(n => n >= 2).length >= 25);
    });
});
