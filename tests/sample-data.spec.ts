import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { sampleData } from "../scripts/generate-sample-data";
import { PROJECT_DIR } from "../offline/program";

describe("sample data", () => {
    const files = sampleData();

    it("is what scripts/generate-sample-data.ts writes", () => {
        for (const [name, content] of Object.entries(files)) {
            assert.equal(fs.readFileSync(path.join(PROJECT_DIR, "data", name), "utf8"), content, `data/${name} is stale: run the script`);
        }
        assert.deepEqual(fs.readdirSync(path.join(PROJECT_DIR, "data")).sort(), Object.keys(files).sort());
    });

    it("meets Personalize's training minimums: 1,000 interactions, 25 users with 2 or more", () => {
        const rows = files["interactions.csv"].trim().split("\n").slice(1);
        assert.ok(rows.length >= 1000, `${rows.length} interactions`);
        const perUser = new Map<string, number>();
        for (const row of rows) perUser.set(row.split(",")[0], (perUser.get(row.split(",")[0]) ?? 0) + 1);
        assert.ok([...perUser.values()].filter(n => n >= 2).length >= 25);
    });
});
