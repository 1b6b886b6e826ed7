import * as assert from "assert";
import { createHash } from "crypto";
import { mkdirSync, readdirSync, rmSync, statSync, utimesSync, writeFileSync } from "fs";
import * as path from "path";
import { DataReport, checkDataFiles } from "../../datacheck";
import { ResultCache, localFileVersion, sourceHash } from "../../datacheck/cache";
import { localFileDigest } from "../../datacheck/digest";
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

        // Rewritten with the same size and the old mtime put back (a restored copy, coarse clocks): the status-change
        // time, which no one can set back, still tells.
        const { mtime } = statSync(file);
        writeFileSync(file, "ITEM_ID,GENRE\ni1,a\n,i2b\n");
        utimesSync(file, mtime, mtime);
        const rewritten = await check();
        assert.deepStrictEqual([rewritten.cached, rewritten.rows, rewritten.problems.map(p => p.rule)], [false, 2, ["id-empty"]]);
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
            const source = localFileVersion(file, statSync(file));
            const parts = { datasetType: "items", headerOnly: false, maxProblems: 20, linesPerProblem: 5 };
            const older = new ResultCache(cacheDir, "older-version");
            await older.setCheck(source, older.checkKey(parts), { report: report.files[0] });
            assert.strictEqual((await older.getCheck(source, older.checkKey(parts)))?.report.cached, true);
            const newer = new ResultCache(cacheDir, "newer-version");
            assert.strictEqual(await newer.getCheck(source, newer.checkKey(parts)), undefined);
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

    it("forgets what it keeps of a source: its check, its per-user counts and its digest", async () => {
        const file = temp.write("interactions-forget.csv", rows(3, "f"));
        const check = () => checkDataFiles([{ path: file, datasetType: "interactions" }], { cacheDir });
        await check();
        await localFileDigest(file, cacheDir);
        const kept = () =>
            readdirSync(cacheDir).filter(name => name.startsWith(createHash("sha256").update(file).digest("hex").slice(0, 32)));
        assert.deepStrictEqual(
            kept()
                .map(name => path.extname(name))
                .sort(),
            [".json", ".users"],
        );
        await new ResultCache(cacheDir).forget(file);
        assert.deepStrictEqual(kept(), []);
        assert.strictEqual((await check()).files[0].cached, false);
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

    it("keeps a user's 2 or more interactions within one file when the minimum is met only across cached files", async () => {
        // a: 15 users twice; 10 users once in a and once in b. Only together do 25 users have 2 or more.
        let a = "USER_ID,ITEM_ID,TIMESTAMP\n";
        for (let u = 0; u < 15; u++) a += `r${u},i1,1700000000\nr${u},i2,1700000001\n`;
        for (let u = 0; u < 10; u++) a += `s${u},i1,1700000000\n`;
        let b = "USER_ID,ITEM_ID,TIMESTAMP\n";
        for (let u = 0; u < 10; u++) b += `s${u},i2,1700000001\n`;
        for (let u = 0; u < 960; u++) b += `t${u},i2,1700000001\n`;
        const files = [temp.write("interactions-repeat-a.csv", a), temp.write("interactions-repeat-b.csv", b)].map(p => ({
            path: p,
            datasetType: "interactions" as const,
        }));
        assert.deepStrictEqual(
            (await checkDataFiles([files[0]])).problems.map(p => p.rule),
            ["interactions-min-records", "interactions-min-users"],
        );
        const fresh = await checkDataFiles(files, { cacheDir });
        const cached = await checkDataFiles(files, { cacheDir });
        assert.deepStrictEqual(
            cached.files.map(f => [f.cached, f.usersWithTwoOrMore]),
            [
                [true, 15],
                [true, 0],
            ],
        );
        assert.deepStrictEqual([fresh.problems, cached.problems], [[], []]);
        // Per-user counts removed from the cache: the file is checked again rather than judged without them.
        for (const name of readdirSync(cacheDir).filter(n => n.endsWith(".users"))) rmSync(path.join(cacheDir, name));
        const rechecked = await checkDataFiles(files, { cacheDir });
        assert.deepStrictEqual([rechecked.files.map(f => f.cached), rechecked.problems], [[false, false], []]);
    });

    it("judges the share of users with 2 or more interactions across files the same when they come from the cache", async () => {
        // 30 users twice in a; 2,950 others once in b and 51 more once in c: 30 of 3,031 is under 1 %, without c over.
        const twice = "USER_ID,ITEM_ID,TIMESTAMP\n" + Array.from({ length: 30 }, (_, u) => `w${u},i1,1\nw${u},i2,2\n`).join("");
        const files = [temp.write("interactions-share-a.csv", twice), temp.write("interactions-share-b.csv", rows(2950, "x"))];
        const c = temp.write("interactions-share-c.csv", rows(51, "y"));
        const check = (paths: string[]) =>
            checkDataFiles(
                paths.map(p => ({ path: p, datasetType: "interactions" as const })),
                { cacheDir },
            );
        assert.deepStrictEqual((await check(files)).problems, []);
        const fresh = await check([...files, c]);
        const cached = await check([...files, c]);
        assert.deepStrictEqual(
            cached.files.map(f => f.cached),
            [true, true, true],
        );
        assert.deepStrictEqual(
            [fresh.problems.map(p => p.rule), cached.problems.map(p => p.rule)],
            [["interactions-min-users-share"], ["interactions-min-users-share"]],
        );
    });

    it("keeps the digest of a file's bytes for that version of the file only", async () => {
        const file = temp.write("users-digest.csv", "USER_ID,AGE\nu1,3\n");
        const sha256 = (text: string) => createHash("sha256").update(text).digest("hex");
        assert.strictEqual(await localFileDigest(file, cacheDir), sha256("USER_ID,AGE\nu1,3\n"));
        // Read from the cache while the file is unchanged: a digest planted there is what comes back.
        await new ResultCache(cacheDir).setDigest(localFileVersion(file, statSync(file)), "planted");
        assert.strictEqual(await localFileDigest(file, cacheDir), "planted");
        assert.strictEqual(await localFileDigest(file), sha256("USER_ID,AGE\nu1,3\n"), "without a cache, the bytes are read");
        // One byte changed, same size, the old modification time put back: a new version, hashed again.
        const { mtime } = statSync(file);
        writeFileSync(file, "USER_ID,AGE\nu1,4\n");
        utimesSync(file, mtime, mtime);
        assert.strictEqual(await localFileDigest(file, cacheDir), sha256("USER_ID,AGE\nu1,4\n"));
        // A check kept for the same version keeps the digest beside it, and a digest kept keeps the check.
        const version = localFileVersion(file, statSync(file));
        await new ResultCache(cacheDir).setDigest(version, "planted again");
        const check = () => checkDataFiles([{ path: file, datasetType: "users" }], { cacheDir });
        assert.strictEqual((await check()).files[0].cached, false);
        assert.strictEqual(await localFileDigest(file, cacheDir), "planted again");
        await new ResultCache(cacheDir).setDigest(version, "planted once more");
        assert.strictEqual((await check()).files[0].cached, true);
    });
});
