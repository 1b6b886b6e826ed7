import * as assert from "assert";
import { mkdirSync, readdirSync, statSync, utimesSync, writeFileSync } from "fs";
import * as path from "path";
import { DataReport, checkDataFiles } from "../../datacheck";
import { ResultCache, sourceHash } from "../../datacheck/cache";
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

        // Rewritten within the same mtime (coarse file-system clocks, or a restored copy): the size still tells.
        const { mtime } = statSync(file);
        writeFileSync(file, "ITEM_ID,GENRE\ni1,a\n");
        utimesSync(file, mtime, mtime);
        const resized = await check();
        assert.deepStrictEqual([resized.cached, resized.rows], [false, 1]);
    });

    /** Checks `file` twice with the first options, then with the second: the second run must not come from the cache. */
    const recheckedWhen = async (first: () => Promise<DataReport>, second: () => Promise<DataReport>) => {
        await first();
        assert.strictEqual((await first()).files[0].cached, true, "an unchanged check is cached");
        assert.strictEqual((await second()).files[0].cached, false, "a check with the part changed is not");
    };

    describe("a change of each part of the key re-checks the file", () => {
        it("options (problems listed per file)", async () => {
            const file = temp.write("users.csv", "USER_ID,AGE\nu1,3\n");
            const check = (maxProblemsPerFile?: number) => () =>
                checkDataFiles([{ path: file, datasetType: "users" }], { cacheDir, maxProblemsPerFile });
            await recheckedWhen(check(), check(3));
        });

        it("dataset type", async () => {
            const file = temp.write("ids.csv", "USER_ID,ITEM_ID,TIMESTAMP\nu1,i1,1700000000\n");
            const check = (datasetType: "users" | "interactions") => () => checkDataFiles([{ path: file, datasetType }], { cacheDir });
            await recheckedWhen(check("interactions"), check("users"));
        });

        it("schema content, at the same schema path", async () => {
            const file = temp.write("items-schema-key.csv", "ITEM_ID,PRICE\ni1,3\n");
            const schema = (type: string) =>
                temp.write(
                    "items-key-schema.json",
                    JSON.stringify({
                        type: "record",
                        name: "Items",
                        fields: [
                            { name: "ITEM_ID", type: "string" },
                            { name: "PRICE", type },
                        ],
                    }),
                );
            const check = (type: string) => async () => {
                schema(type);
                return checkDataFiles([{ path: file, datasetType: "items", schemaPath: path.join(temp.dir, "items-key-schema.json") }], {
                    cacheDir,
                });
            };
            await recheckedWhen(check("int"), check("boolean"));
        });

        it("header-only threshold, when the file crosses it", async () => {
            const file = temp.write("items-threshold.csv", "ITEM_ID,GENRE\ni1,a\n");
            const check = (headerOnlyAboveBytes?: number) => () =>
                checkDataFiles([{ path: file, datasetType: "items" }], { cacheDir, headerOnlyAboveBytes });
            await recheckedWhen(check(), check(5));
        });

        it("checker version (a hash of the checker's source files)", async () => {
            const file = temp.write("items-version.csv", "ITEM_ID,GENRE\ni1,a\n");
            const report = await checkDataFiles([{ path: file, datasetType: "items" }]);
            const parts = { size: 20, stamp: "mtime 1", datasetType: "items", headerOnly: false, maxProblems: 20, linesPerProblem: 5 };
            const older = new ResultCache(cacheDir, "older-version");
            await older.set(file, older.key(parts), { report: report.files[0] });
            assert.strictEqual((await older.get(file, older.key(parts)))?.report.cached, true);
            const newer = new ResultCache(cacheDir, "newer-version");
            assert.strictEqual(await newer.get(file, newer.key(parts)), undefined);
        });

        it("the checker version changes with any of its source files", () => {
            const sources = path.join(temp.dir, "checker");
            mkdirSync(sources);
            writeFileSync(path.join(sources, "rules.ts"), "export const A = 1;\n");
            const before = sourceHash(sources);
            assert.strictEqual(sourceHash(sources), before);
            writeFileSync(path.join(sources, "rules.ts"), "export const A = 2;\n");
            assert.notStrictEqual(sourceHash(sources), before);
        });
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
