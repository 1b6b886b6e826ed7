import * as assert from "assert";
import * as fc from "fast-check";
import { readFileSync, readdirSync, statSync } from "fs";
import * as path from "path";
import { DataFile, checkDataFiles, datasetTypeFromFileName } from "../../datacheck";
import { openDuckDb, DuckDbEngine } from "../../datacheck/engines/duckdb/engine";
import { SizedDataFile, checkWithSql } from "../../datacheck/engines/sql/check";
import { Problem } from "../../datacheck/report";
import { ITEMS_SCHEMA, actionsCsv, interactionsCsv, schemaItemsCsv } from "./csv-arbitraries";
import { TempFolder } from "./temp-files";

/*
 * Differential test: the SQL the rule table generates, run on DuckDB over the files' raw lines, must find what the
 * stream engine finds in each file: the same rule ids, per column, on the same number of rows. The exception is a
 * record that spans lines (a quoted line break, or a quote never closed): a query reads lines, not records, so
 * there it must report the record (quoted-line-break or unclosed-quote), and the other lines of that record are
 * read as lines of their own.
 */

const FIXTURES = path.join(__dirname, "fixtures");

/** Each finding as rule|column|rows; a finding of the header or file counts one. */
const findings = (problems: Problem[]) => problems.map(p => `${p.rule}|${p.column ?? ""}|${p.rows ?? 1}`).sort();

/** Lines as the stream engine numbers them: LF-terminated, a last line without LF counts. */
function lineCount(file: string): number {
    const bytes = readFileSync(file);
    let lines = bytes.length > 0 && bytes[bytes.length - 1] !== 0x0a ? 1 : 0;
    for (const byte of bytes) if (byte === 0x0a) lines++;
    return lines;
}

interface Comparison {
    files: number;
    exact: number;
    spanning: number;
    ruleIds: number;
}

async function compare(db: DuckDbEngine, files: SizedDataFile[]): Promise<Comparison> {
    const local = await checkDataFiles(files, { maxProblemsPerFile: 1e9, linesPerProblem: 1e9 });
    await db.load(files);
    const sql = await checkWithSql(files, db, { maxProblemsPerFile: 1e9 });
    const result: Comparison = { files: files.length, exact: 0, spanning: 0, ruleIds: 0 };
    files.forEach((file, i) => {
        const ours = local.files[i];
        const theirs = sql.files[i];
        const ids = new Set(ours.problems.map(p => p.rule));
        result.ruleIds += ids.size;
        const spans =
            ids.has("quoted-line-break") || ids.has("unclosed-quote") || (ours.rows > 0 && ours.rows + 1 !== lineCount(file.path));
        if (spans) {
            result.spanning++;
            const reported = theirs.problems.some(p => p.rule === "quoted-line-break" || p.rule === "unclosed-quote");
            assert.ok(
                reported,
                `${file.path}: a record spans lines, and the SQL engine doesn't say so: ${JSON.stringify(theirs.problems)}`,
            );
        } else {
            result.exact++;
            assert.deepStrictEqual(
                findings(theirs.problems),
                findings(ours.problems),
                `${file.path}: ${readFileSync(file.path, "latin1")}`,
            );
            assert.strictEqual(theirs.rows, ours.rows, file.path);
        }
    });
    return result;
}

describe("data-check differential (SQL on DuckDB vs the stream engine)", function () {
    let db: DuckDbEngine;
    const temp = new TempFolder();
    before(async () => (db = await openDuckDb()));
    after(() => {
        db.close();
        temp.remove();
    });

    it("agrees on every fixture, each items fixture also with the items schema", async () => {
        const files: SizedDataFile[] = readdirSync(FIXTURES)
            .filter(name => name.endsWith(".csv"))
            .flatMap(name => {
                const file: DataFile = { path: path.join(FIXTURES, name), datasetType: datasetTypeFromFileName(name)! };
                const withSchema = file.datasetType === "items" ? [{ ...file, schemaPath: path.join(FIXTURES, "items-schema.json") }] : [];
                return [file, ...withSchema].map(f => ({ ...f, size: statSync(f.path).size }));
            });
        const result = await compare(
            db,
            files.filter(f => !f.schemaPath),
        );
        const withSchema = await compare(
            db,
            files.filter(f => f.schemaPath),
        );
        assert.strictEqual(result.files + withSchema.files, files.length);
        assert.ok(result.spanning >= 2, "the quoted-line-break and unclosed-quote fixtures span lines");
        console.log(
            `sql differential (fixtures): ${files.length} files, ${result.ruleIds + withSchema.ruleIds} rule ids compared, ${result.exact + withSchema.exact} compared exactly, ${result.spanning + withSchema.spanning} with a record spanning lines; disagreements: 0`,
        );
    });

    it("agrees on generated Interactions and Actions files", async () => {
        const write = (prefix: string, contents: Buffer[] | string[]) =>
            contents.map((content, i) => {
                const file = temp.write(`${prefix}-${i}.csv`, content);
                return { path: file, datasetType: datasetTypeFromFileName(file)!, size: statSync(file).size };
            });
        const interactions = await compare(db, write("interactions", fc.sample(interactionsCsv, { seed: 20261204, numRuns: 300 })));
        const actions = await compare(db, write("actions", fc.sample(actionsCsv, { seed: 20261205, numRuns: 100 })));
        // The schema's value kinds: int and long bounds, booleans, floats.
        const schemaPath = temp.write("items-schema.json", ITEMS_SCHEMA);
        const items = await compare(
            db,
            write("items", fc.sample(schemaItemsCsv, { seed: 20261206, numRuns: 100 })).map(f => ({ ...f, schemaPath })),
        );
        // Most generated files must be compared exactly, or the test proves little.
        assert.ok(interactions.exact >= 100 && actions.exact >= 60 && items.exact >= 60, JSON.stringify({ interactions, actions, items }));
        const total = [interactions, actions, items].reduce((sum, c) => ({
            files: sum.files + c.files,
            exact: sum.exact + c.exact,
            spanning: sum.spanning + c.spanning,
            ruleIds: sum.ruleIds + c.ruleIds,
        }));
        console.log(
            `sql differential (generated): ${total.files} files, ${total.ruleIds} rule ids compared, ${total.exact} compared exactly (rule, column, rows), ${total.spanning} with a record spanning lines; disagreements: 0`,
        );
    });
});
