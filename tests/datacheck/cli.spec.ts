import * as assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { copyFileSync, mkdirSync } from "node:fs";
import * as path from "node:path";
import { main } from "../../datacheck/cli";
import { TempFolder } from "./temp-files";

const ROOT = path.join(__dirname, "..", "..");

/** The command run in this process (paths relative to the project, as from npm run check-data). */
async function checkData(...args: string[]): Promise<{ status: number; stdout: string; stderr: string }> {
    const stdout: string[] = [];
    const stderr: string[] = [];
    const status = await main(args, { log: line => stdout.push(`${line}\n`), error: line => stderr.push(`${line}\n`) });
    return { status, stdout: stdout.join(""), stderr: stderr.join("") };
}

describe("check-data CLI", () => {
    it("prints problems and summaries, and exits 1 on problems, as its own process", () => {
        const result = spawnSync(
            process.execPath,
            ["-r", "ts-node/register/transpile-only", "datacheck/cli.ts", "tests/datacheck/fixtures/interactions-field-count.csv"],
            { cwd: ROOT, encoding: "utf8" },
        );
        assert.equal(result.status, 1, result.stderr);
        const lines = result.stdout.trim().split("\n");
        assert.equal(
            lines[0],
            'tests/datacheck/fixtures/interactions-field-count.csv:3: field-count: expected 4 fields as in the header, found 3; quote values that contain commas ("a,b")',
        );
        assert.match(
            lines[lines.length - 1],
            /^tests\/datacheck\/fixtures\/interactions-field-count\.csv: interactions, 3 rows, 2 users, 2 items, 0\.0 MB, [\d.]+ MB\/s$/,
        );
    });

    it("exits 0 on clean files and 2 with a usage message on bad arguments", async () => {
        assert.equal((await checkData("tests/datacheck/fixtures/items-valid.csv", "tests/datacheck/fixtures/users-valid.csv")).status, 0);
        const usage = await checkData("tests/datacheck/fixtures/items-valid.csv", "--type", "nonsense");
        assert.equal(usage.status, 2);
        assert.match(usage.stderr, /usage: check-data/);
        assert.equal((await checkData("tests/datacheck/fixtures/nowhere.csv")).status, 2);
        assert.equal((await checkData("--batch-input", "tests/datacheck/fixtures/items-valid.csv")).status, 2);
    });

    it("checks a folder of Actions and Action interactions files: exit 0 when valid, 1 with path:line: rule: message", async () => {
        const temp = new TempFolder();
        try {
            const fixtures = path.join(ROOT, "tests", "datacheck", "fixtures");
            for (const name of ["actions-valid.csv", "action_interactions-valid.csv"])
                copyFileSync(path.join(fixtures, name), path.join(temp.dir, name.replace("-valid", "")));
            const valid = await checkData(temp.dir);
            assert.equal(valid.status, 0, valid.stdout);
            copyFileSync(path.join(fixtures, "actions-values.csv"), path.join(temp.dir, "actions-broken.csv"));
            const broken = await checkData(temp.dir);
            assert.equal(broken.status, 1);
            assert.match(
                broken.stdout,
                new RegExp(
                    `^${path.join(temp.dir, "actions-broken.csv").replace(/[.]/g, "\\.")}:2: timestamp-milliseconds: EXPIRATION_TIMESTAMP 1735689600000 is in milliseconds`,
                    "m",
                ),
            );
        } finally {
            temp.remove();
        }
    });

    it("checks batch input files given by name or with --batch-input, alone or with CSVs", async () => {
        const temp = new TempFolder();
        try {
            const good = temp.write("users.jsonl", '{"userId": "u1"}\n');
            const result = await checkData("--batch-input", temp.dir, "tests/datacheck/fixtures/items-valid.csv");
            assert.equal(result.status, 0, result.stdout);
            assert.match(result.stdout, new RegExp(`\n${good.replace(/[.]/g, "\\.")}: batch input \\{"userId"\\}, 1 record, 0\\.0 MB\n$`));
            const bad = temp.write("items.json", '{"itemId": "i1"}\n{"itemId": 2}\n');
            const broken = await checkData(bad);
            assert.equal(broken.status, 1);
            assert.equal(
                broken.stdout.split("\n")[0],
                `${bad}:2: batch-id-type: itemId is 2, not a string; write IDs as JSON strings ("itemId": "…")`,
            );
        } finally {
            temp.remove();
        }
    });

    it("--help prints the usage, every option with what it does, to stdout and exits 0", async () => {
        const result = await checkData("--help");
        assert.equal(result.status, 0, result.stderr);
        assert.equal(result.stderr, "");
        assert.match(
            result.stdout,
            /^usage: check-data <file-or-folder>… [^]*\n {7}\(npm run check-data -- <arguments>, in any folder of the project: paths are relative to it\)\n/,
        );
        for (const option of [
            "--type FILE=TYPE",
            "--schema FILE=SCHEMA.json",
            "--header-only-above SIZE",
            "--cache DIR",
            "--max-problems N",
            "--batch-input DIR",
            "--help",
        ])
            assert.match(result.stdout, new RegExp(`\\n  ${option.replace(/[.]/g, "\\.")} +\\S`), option);
        assert.match(
            result.stdout,
            /\nExit status: 0 no problem, 1 problems found, 2 bad arguments or nothing to check \(an empty folder or\nprefix\), 3 S3 could not be read \(no credentials, access denied, no such bucket\)\.\n$/,
        );
    });

    it("a bad argument: what is wrong first, then the usage, on stderr, exit 2", async () => {
        const result = await checkData();
        assert.equal(result.status, 2);
        assert.equal(result.stdout, "");
        assert.match(result.stderr, /^check-data: no files or folders given\nusage: check-data /);
    });

    it("reads paths from the folder npm run check-data was typed in (INIT_CWD), not from the project's", () => {
        const result = spawnSync("npm", ["run", "--silent", "check-data", "--", "--batch-input", "."], {
            cwd: path.join(ROOT, "batch-input"),
            encoding: "utf8",
        });
        assert.equal(result.status, 0, result.stdout + result.stderr);
        assert.equal(result.stdout, 'users.jsonl: batch input {"userId"}, 3 records, 0.0 MB\n');
    });

    it("--type and --schema name a file by its path, or by its file name when one file has it", async () => {
        const temp = new TempFolder();
        try {
            const fixtures = path.join(ROOT, "tests", "datacheck", "fixtures");
            for (const folder of ["a", "b"]) mkdirSync(path.join(temp.dir, folder));
            const catalogue = path.join(temp.dir, "a", "catalogue.csv");
            copyFileSync(path.join(fixtures, "items-valid.csv"), catalogue);
            copyFileSync(path.join(fixtures, "users-valid.csv"), path.join(temp.dir, "b", "people.csv"));
            const schema = path.join(fixtures, "items-schema.json");
            const byName = await checkData(path.join(temp.dir, "a"), "--type", "catalogue.csv=items", `--schema=catalogue.csv=${schema}`);
            assert.equal(byName.status, 1, byName.stderr);
            assert.match(byName.stdout, /catalogue\.csv:1: schema-unknown-column: column CREATION_TIMESTAMP is not a field of /);
            const byPath = await checkData(catalogue, `--type=${catalogue}=items`);
            assert.equal(byPath.status, 0, byPath.stderr);
            assert.match(byPath.stdout, /catalogue\.csv: items, 3 rows, /);

            copyFileSync(catalogue, path.join(temp.dir, "b", "catalogue.csv"));
            const twice = await checkData(path.join(temp.dir, "a"), path.join(temp.dir, "b"), "--type", "catalogue.csv=items");
            assert.equal(twice.status, 2);
            assert.equal(
                twice.stderr.split("\n")[0],
                `check-data: --type catalogue.csv=items: 2 files are named catalogue.csv (${path.join(temp.dir, "a", "catalogue.csv")}, ${path.join(temp.dir, "b", "catalogue.csv")}); give the path of one`,
            );
            const none = await checkData(path.join(temp.dir, "a"), "--type", "nothing.csv=items");
            assert.equal(none.status, 2);
            assert.equal(none.stderr.split("\n")[0], "check-data: --type nothing.csv=items: nothing.csv is none of the files to check");
        } finally {
            temp.remove();
        }
    });

    it("refuses unknown options and options without their value, saying which", async () => {
        const unknown = await checkData("data", "--typo");
        assert.equal(unknown.status, 2);
        assert.match(unknown.stderr, /^check-data: Unknown option '--typo'/);
        const bare = await checkData("data", "--type");
        assert.equal(bare.status, 2);
        assert.match(bare.stderr, /^check-data: Option '--type <value>' argument missing/);
    });
});
