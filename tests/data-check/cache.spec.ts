import * as assert from "assert";
import { readdirSync, utimesSync, writeFileSync } from "fs";
import * as path from "path";
import { checkDataFiles } from "../../components/data-check";
import { TempFolder } from "./temp-files";

describe("data-check result cache", () => {
    const temp = new TempFolder();
    const cacheDir = path.join(temp.dir, "cache");
    after(() => temp.remove());

    const rows = (users: number, prefix: string) => {
        let text = "USER_ID,ITEM_ID,TIMESTAMP\n";
        for (let u = 0; u < users; u++) text += `${prefix}${u},i${u},1700000000\n`;
        return text;
    };

    it("skips an unchanged file and re-checks a touched or resized one", async () => {
        const file = temp.write("items.csv", "ITEM_ID,GENRE\ni1,a\ni2,b\n");
        const check = async () => (await checkDataFiles([{ path: file, datasetType: "items" }], { cacheDir })).files[0];
        assert.strictEqual((await check()).cached, false);
        const again = await check();
        assert.strictEqual(again.cached, true);
        assert.strictEqual(again.rows, 2);

        utimesSync(file, new Date(), new Date(Date.now() + 5_000));
        assert.strictEqual((await check()).cached, false);
        assert.strictEqual((await check()).cached, true);

        writeFileSync(file, "ITEM_ID,GENRE\ni1,a\n");
        const resized = await check();
        assert.deepStrictEqual([resized.cached, resized.rows], [false, 1]);
    });

    it("does not reuse a result checked with other options", async () => {
        const file = temp.write("users.csv", "USER_ID,AGE\nu1,3\n");
        await checkDataFiles([{ path: file, datasetType: "users" }], { cacheDir });
        const other = await checkDataFiles([{ path: file, datasetType: "users" }], { cacheDir, maxProblemsPerFile: 3 });
        assert.strictEqual(other.files[0].cached, false);
    });

    it("ignores corrupt cache files", async () => {
        const file = temp.write("items-corrupt.csv", "ITEM_ID,GENRE\ni1,a\n");
        await checkDataFiles([{ path: file, datasetType: "items" }], { cacheDir });
        for (const name of readdirSync(cacheDir)) writeFileSync(path.join(cacheDir, name), '{"key": truncated');
        const report = await checkDataFiles([{ path: file, datasetType: "items" }], { cacheDir });
        assert.deepStrictEqual([report.files[0].cached, report.ok], [false, true]);
    });

    it("keeps cross-file interaction minimums right when files come from the cache", async () => {
        // 600 users, once in each file: only the per-user counts of both files together meet the minimums.
        const files = [temp.write("interactions-a.csv", rows(600, "u")), temp.write("interactions-b.csv", rows(600, "u"))].map(p => ({
            path: p,
            datasetType: "interactions" as const,
        }));
        const first = await checkDataFiles(files, { cacheDir });
        const second = await checkDataFiles(files, { cacheDir });
        assert.deepStrictEqual(
            second.files.map(f => f.cached),
            [true, true],
        );
        assert.deepStrictEqual([first.problems, second.problems], [[], []]);

        const other = temp.write("interactions-c.csv", rows(600, "v"));
        const mixed = await checkDataFiles([files[0], { path: other, datasetType: "interactions" }], { cacheDir });
        assert.deepStrictEqual(
            mixed.problems.map(p => p.rule),
            ["interactions-min-users"],
        );
    });
});
