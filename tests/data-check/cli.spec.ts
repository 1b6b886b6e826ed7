import * as assert from "assert";
import { spawnSync } from "child_process";
import * as path from "path";

const ROOT = path.join(__dirname, "..", "..");
const run = (...args: string[]) =>
    spawnSync(process.execPath, ["-r", "ts-node/register/transpile-only", "scripts/check-data.ts", ...args], {
        cwd: ROOT,
        encoding: "utf8",
    });

describe("check-data CLI", () => {
    it("prints problems and summaries, and exits 1 on problems", () => {
        const result = run("tests/data-check/fixtures/interactions-field-count.csv");
        assert.strictEqual(result.status, 1);
        const lines = result.stdout.trim().split("\n");
        assert.strictEqual(
            lines[0],
            'tests/data-check/fixtures/interactions-field-count.csv:3: field-count: expected 4 fields as in the header, found 3; quote values that contain commas ("a,b")',
        );
        assert.match(
            lines[lines.length - 1],
            /^tests\/data-check\/fixtures\/interactions-field-count\.csv: interactions, 3 rows, 2 users, 2 items, 0\.0 MB, [\d.]+ MB\/s$/,
        );
    });

    it("exits 0 on clean files and 2 with a usage message on bad arguments", () => {
        assert.strictEqual(run("tests/data-check/fixtures/items-valid.csv", "tests/data-check/fixtures/users-valid.csv").status, 0);
        const usage = run("tests/data-check/fixtures/items-valid.csv", "--type", "nonsense");
        assert.strictEqual(usage.status, 2);
        assert.match(usage.stderr, /usage: check-data/);
        assert.strictEqual(run("tests/data-check/fixtures/items-schema.json").status, 2);
    });
});
