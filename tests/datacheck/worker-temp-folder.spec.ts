import * as assert from "assert";
import { mkdirSync, readdirSync, writeFileSync } from "fs";
import * as path from "path";
import { checkDataFiles } from "../../datacheck";
import { TempFolder } from "./temp-files";

describe("data-check worker and the temp folder", () => {
    const temp = new TempFolder();
    after(() => temp.remove());

    it("checks a file over 64 MB on two threads without writing or reading anything in TMPDIR", async () => {
        // A header and just over 64 MB of identical item rows: Buffer.alloc repeats the row, so generating costs no loop.
        const row = `item-1,${"x".repeat(990)}\n`;
        const rows = Math.ceil((64 * 1024 * 1024) / row.length) + 100;
        const file = path.join(temp.dir, "items-large.csv");
        writeFileSync(file, Buffer.concat([Buffer.from("ITEM_ID,DESCRIPTION\n"), Buffer.alloc(rows * row.length, row)]));
        const emptyTemp = path.join(temp.dir, "tmp");
        mkdirSync(emptyTemp);
        const saved = process.env.TMPDIR;
        process.env.TMPDIR = emptyTemp;
        try {
            const report = await checkDataFiles([{ path: file, datasetType: "items" }], { threads: 2 });
            assert.deepStrictEqual(report.files[0].problems, []);
            assert.strictEqual(report.ok, true);
            assert.strictEqual(report.files[0].threads, 2);
            assert.strictEqual(report.files[0].rows, rows);
        } finally {
            if (saved === undefined) delete process.env.TMPDIR;
            else process.env.TMPDIR = saved;
        }
        assert.deepStrictEqual(readdirSync(emptyTemp), []);
    });
});
