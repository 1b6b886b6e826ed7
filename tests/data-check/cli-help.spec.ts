import * as assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as path from "node:path";

const ROOT = path.join(__dirname, "..", "..");
const checkData = (...args: string[]) =>
    spawnSync(process.execPath, ["-r", "ts-node/register/transpile-only", "scripts/check-data.ts", ...args], {
        cwd: ROOT,
        encoding: "utf8",
    });

describe("check-data's help and argument errors", () => {
    it("--help prints the usage, every option with what it does, to stdout and exits 0", () => {
        const result = checkData("--help");
        assert.equal(result.status, 0, result.stderr);
        assert.equal(result.stderr, "");
        assert.match(
            result.stdout,
            /^usage: check-data <file-or-folder>… [^]*\n {7}\(from the project: npm run check-data -- <arguments>\)\n/,
        );
        for (const option of [
            "--type FILE=TYPE",
            "--schema FILE=SCHEMA.json",
            "--header-only-above SIZE",
            "--cache DIR",
            "--max-problems N",
            "--help",
        ])
            assert.match(result.stdout, new RegExp(`\\n  ${option.replace(/[.]/g, "\\.")} +\\S`), option);
        assert.match(result.stdout, /\nExit status: 0 no problem, 1 problems found, 2 bad arguments\.\n$/);
    });

    it("a bad argument: what is wrong first, then the usage, on stderr, exit 2", () => {
        const result = checkData();
        assert.equal(result.status, 2);
        assert.equal(result.stdout, "");
        assert.match(result.stderr, /^check-data: no files or folders given\nusage: check-data /);
    });
});
