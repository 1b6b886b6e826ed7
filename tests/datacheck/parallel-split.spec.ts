import * as assert from "assert";
import { readFileSync } from "fs";
import { checkDataFiles, DataReport } from "../../datacheck";
import { lineBreakCuts } from "../../datacheck/engines/stream/parallel-scan";
import { TempFolder } from "./temp-files";

/** Everything a check reports about one file except timing and threads. */
const verdict = (report: DataReport) => {
    const { problems, rows, users, items, usersWithTwoOrMore, truncatedProblems, eventTypes } = report.files[0];
    return { problems, rows, users, items, usersWithTwoOrMore, truncatedProblems, eventTypes };
};

describe("data-check parallel split", () => {
    const temp = new TempFolder();
    after(() => temp.remove());

    const check = async (file: string, splitAboveBytes: number, threads = 2) => {
        const report = await checkDataFiles([{ path: file, datasetType: "interactions" }], {
            splitAboveBytes,
            threads,
            maxProblemsPerFile: 1000,
        });
        return { threads: report.files[0].threads, verdict: verdict(report) };
    };

    it("finds the same problems on the same lines as the unsplit check, on 4 threads", async () => {
        const lines = ["USER_ID,ITEM_ID,TIMESTAMP,EVENT_TYPE"];
        for (let i = 0; i < 6_000; i++) {
            const kind = i % 241;
            if (kind === 1) lines.push(`u${i % 300},i${i},1700000000123,click`);
            else if (kind === 2) lines.push(`u${i % 300},i${i}`);
            else if (kind === 3) lines.push(`u${i % 300},"i,${i}",17e8,"say ""x"""`);
            else if (kind === 4)
                lines.push(`u${i},i${i},1700000000,type-${i}`); // event types first seen in later parts
            else lines.push(`u${i % 300},i${i % 500},${1_700_000_000 + i},${i % 2 ? "view" : "click"}`);
        }
        const file = temp.write("interactions-split.csv", lines.map((l, i) => l + (i % 2 ? "\r\n" : "\n")).join(""));
        const whole = await check(file, Infinity);
        assert.strictEqual(whole.threads, 1);
        assert.ok(whole.verdict.problems.reduce((rows, p) => rows + (p.rows ?? 1), 0) > 40);
        assert.strictEqual(whole.verdict.eventTypes.length, 28);
        for (const threads of [4]) assert.deepStrictEqual(await check(file, 1, threads), { threads, verdict: whole.verdict });
    });

    it("checks a part again from where a quoted line break ran past its cut, however many cuts it spans", async () => {
        const before = Array.from({ length: 500 }, (_, i) => `u${i},i${i},1700000000,click`);
        const after = Array.from({ length: 500 }, (_, i) => `v${i},i${i},nope,click`);
        // Half the file, in its middle: on 2 threads it spans the one cut, on 4 threads two of the three.
        const spanning = `w1,i1,1700000000,"${"line\n".repeat(4_000)}"`;
        const file = temp.write(
            "interactions-spanning.csv",
            ["USER_ID,ITEM_ID,TIMESTAMP,EVENT_TYPE", ...before, spanning, ...after].join("\n") + "\n",
        );
        const whole = await check(file, Infinity);
        assert.strictEqual(whole.verdict.problems[0].rule, "quoted-line-break");
        assert.strictEqual(whole.verdict.problems[1].line, 4503);
        assert.strictEqual(whole.verdict.rows, 1001);
        for (const threads of [2, 4]) assert.deepStrictEqual(await check(file, 1, threads), { threads, verdict: whole.verdict });
    });

    it("cuts just after line breaks, in order, and fewer times when the lines are longer than the parts", async () => {
        const file = temp.write("interactions-cuts.csv", "h\n" + "1234567\n".repeat(1000));
        const size = 2 + 8 * 1000;
        const bytes = readFileSync(file);
        const cuts = await lineBreakCuts(file, 2, size, 4);
        assert.deepStrictEqual(cuts, [2010, 4010, 6010]);
        assert.ok(cuts.every(cut => bytes[cut - 1] === 0x0a));
        // Six lines of 8 bytes in 7 parts: no part is empty, and no cut is at the end of the file.
        const few = temp.write("interactions-few.csv", "h\n" + "1234567\n".repeat(6));
        assert.deepStrictEqual(await lineBreakCuts(few, 2, 50, 7), [10, 18, 26, 34, 42]);
        const oneLine = temp.write("interactions-one-line.csv", "x".repeat(5000));
        assert.deepStrictEqual(await lineBreakCuts(oneLine, 0, 5000, 4), []);
    });
});
