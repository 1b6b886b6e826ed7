import * as assert from "assert";
import { checkDataFiles, DataReport } from "../../datacheck";
import { TempFolder } from "./temp-files";

/** Everything a check reports about one file except timing. */
const verdict = (report: DataReport) => {
    const { problems, rows, users, items, usersWithTwoOrMore, truncatedProblems } = report.files[0];
    return { problems, rows, users, items, usersWithTwoOrMore, truncatedProblems };
};

describe("data-check parallel split", () => {
    const temp = new TempFolder();
    after(() => temp.remove());

    const check = async (file: string, splitAboveBytes: number) =>
        verdict(await checkDataFiles([{ path: file, datasetType: "interactions" }], { splitAboveBytes, maxProblemsPerFile: 1000 }));

    it("finds the same problems on the same lines as the unsplit check", async () => {
        const lines = ["USER_ID,ITEM_ID,TIMESTAMP,EVENT_TYPE"];
        for (let i = 0; i < 20_000; i++) {
            const kind = i % 997;
            if (kind === 1) lines.push(`u${i % 300},i${i},1700000000123,click`);
            else if (kind === 2) lines.push(`u${i % 300},i${i}`);
            else if (kind === 3) lines.push(`u${i % 300},"i,${i}",17e8,"say ""x"""`);
            else lines.push(`u${i % 300},i${i % 500},${1_700_000_000 + i},${i % 2 ? "view" : "click"}`);
        }
        const file = temp.write("interactions-split.csv", lines.map((l, i) => l + (i % 2 ? "\r\n" : "\n")).join(""));
        const whole = await check(file, Infinity);
        assert.ok(whole.problems.reduce((rows, p) => rows + (p.rows ?? 1), 0) > 40);
        assert.deepStrictEqual(await check(file, 1), whole);
    });

    it("falls back to one range when a quoted line break spans the cut", async () => {
        const before = Array.from({ length: 500 }, (_, i) => `u${i},i${i},1700000000,click`);
        const after = Array.from({ length: 500 }, (_, i) => `v${i},i${i},nope,click`);
        const spanning = `w1,i1,1700000000,"${"line\n".repeat(1_000)}"`;
        const file = temp.write(
            "interactions-spanning.csv",
            ["USER_ID,ITEM_ID,TIMESTAMP,EVENT_TYPE", ...before, spanning, ...after].join("\n") + "\n",
        );
        const whole = await check(file, Infinity);
        assert.strictEqual(whole.problems[0].rule, "quoted-line-break");
        assert.strictEqual(whole.problems[1].line, 1503);
        assert.deepStrictEqual(await check(file, 1), whole);
    });
});
