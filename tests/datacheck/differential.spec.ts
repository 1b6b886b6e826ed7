import * as assert from "assert";
import * as fc from "fast-check";
import { DatasetType, checkDataFiles } from "../../datacheck";
import { checkWithCsvParse } from "./csv-parse-oracle";
import { TempFolder } from "./temp-files";
import { actionsCsv, interactionsCsv, plainInteractionsCsv } from "./csv-arbitraries";

/*
 * Differential test: the byte scanner and the csv-parse implementation must find the same problems (rule and line)
 * and the same counts on generated Interactions CSVs full of the things that go wrong in real exports.
 */

/** Checks a file with both and requires the same problems (rule and line) and the same counts. */
async function assertAgrees(file: string, datasetType: DatasetType): Promise<void> {
    const ours = await checkDataFiles([{ path: file, datasetType }], { maxProblemsPerFile: 1e9, linesPerProblem: 1e9 });
    const oracle = await checkWithCsvParse({ path: file, datasetType });
    const report = ours.files[0];
    // A rule broken on several rows is one finding of ours, listing every line here (linesPerProblem).
    const lines = report.problems.flatMap(p => (p.lines ?? [p.line]).map(line => `${line}:${p.rule}`)).sort();
    assert.deepStrictEqual(lines, oracle.problems.map(p => `${p.line}:${p.rule}`).sort());
    assert.deepStrictEqual([report.rows, report.users, report.items], [oracle.rows, oracle.users, oracle.items]);
}

describe("data-check differential (scanner vs csv-parse)", function () {
    const temp = new TempFolder();
    after(() => temp.remove());

    it("finds the same problems on the same lines", async () => {
        let n = 0;
        await fc.assert(
            fc.asyncProperty(interactionsCsv, content => assertAgrees(temp.write(`interactions-${n++}.csv`, content), "interactions")),
            { seed: 20240611, numRuns: 400 },
        );
    });

    it("agrees on unquoted records in any column order, the ones the fast path reads", async () => {
        let n = 0;
        await fc.assert(
            fc.asyncProperty(plainInteractionsCsv, content =>
                assertAgrees(temp.write(`interactions-plain-${n++}.csv`, content), "interactions"),
            ),
            { seed: 20261204, numRuns: 300 },
        );
    });

    it("agrees on Actions files: the header rules and the Actions value rules", async () => {
        let n = 0;
        await fc.assert(
            fc.asyncProperty(actionsCsv, content => assertAgrees(temp.write(`actions-${n++}.csv`, content), "actions")),
            { seed: 20261128, numRuns: 200 },
        );
    });
});
