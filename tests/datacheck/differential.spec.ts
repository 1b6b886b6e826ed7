import * as assert from "assert";
import * as fc from "fast-check";
import { checkDataFiles } from "../../datacheck";
import { checkWithCsvParse } from "./csv-parse-oracle";
import { TempFolder } from "./temp-files";
import { actionsCsv, interactionsCsv } from "./csv-arbitraries";

/*
 * Differential test: the byte scanner and the csv-parse implementation must find the same problems (rule and line)
 * and the same counts on generated Interactions CSVs full of the things that go wrong in real exports.
 */

describe("data-check differential (scanner vs csv-parse)", function () {
    const temp = new TempFolder();
    after(() => temp.remove());

    it("finds the same problems on the same lines", async () => {
        let n = 0;
        await fc.assert(
            fc.asyncProperty(interactionsCsv, async content => {
                const file = temp.write(`interactions-${n++}.csv`, content);
                const ours = await checkDataFiles([{ path: file, datasetType: "interactions" }], {
                    maxProblemsPerFile: 1e9,
                    linesPerProblem: 1e9,
                });
                const oracle = await checkWithCsvParse({ path: file, datasetType: "interactions" });
                const report = ours.files[0];
                // A rule broken on several rows is one finding of ours, listing every line here (linesPerProblem).
                const lines = report.problems.flatMap(p => (p.lines ?? [p.line]).map(line => `${line}:${p.rule}`)).sort();
                assert.deepStrictEqual(lines, oracle.problems.map(p => `${p.line}:${p.rule}`).sort());
                assert.deepStrictEqual([report.rows, report.users, report.items], [oracle.rows, oracle.users, oracle.items]);
            }),
            { seed: 20240611, numRuns: 400 },
        );
    });

    it("agrees on Actions files: the header rules and the Actions value rules", async () => {
        let n = 0;
        await fc.assert(
            fc.asyncProperty(actionsCsv, async content => {
                const file = temp.write(`actions-${n++}.csv`, content);
                const ours = await checkDataFiles([{ path: file, datasetType: "actions" }], {
                    maxProblemsPerFile: 1e9,
                    linesPerProblem: 1e9,
                });
                const oracle = await checkWithCsvParse({ path: file, datasetType: "actions" });
                const lines = ours.files[0].problems.flatMap(p => (p.lines ?? [p.line]).map(line => `${line}:${p.rule}`)).sort();
                assert.deepStrictEqual(lines, oracle.problems.map(p => `${p.line}:${p.rule}`).sort());
                assert.strictEqual(ours.files[0].rows, oracle.rows);
            }),
            { seed: 20261128, numRuns: 200 },
        );
    });
});
