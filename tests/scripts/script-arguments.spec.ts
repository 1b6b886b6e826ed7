import * as assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { existsSync, rmSync } from "node:fs";
import * as path from "node:path";
import { parseBenchDataArguments } from "../../scripts/bench-data";
import { parseBenchPackStartArguments } from "../../scripts/bench-pack-start";
import { parseDocumentValidityArguments } from "../../scripts/bench-document-validity";
import { parseBenchPoliciesArguments } from "../../scripts/bench-policies";
import { parseWarmRunArguments } from "../../scripts/bench-warm-run";
import { parseIamDifferentialArguments } from "../../scripts/iam-differential";
import type { Parsed } from "../../scripts/script-arguments";

const ROOT = path.join(__dirname, "..", "..");

/** Each script's parser, an option it takes with a value, and the settings that value gives. */
const SCRIPTS: Array<{ name: string; parse(argv: string[]): Parsed<object>; option: string; value: string; settings: object }> = [
    { name: "bench:data", parse: argv => parseBenchDataArguments(argv), option: "mb", value: "50", settings: { megabytes: 50 } },
    { name: "bench:warm-run", parse: parseWarmRunArguments, option: "mb", value: "50", settings: { megabytes: 50, runs: 7 } },
    {
        name: "bench:policies",
        parse: parseBenchPoliciesArguments,
        option: "iterations",
        value: "5000",
        settings: { iterations: 5000, warmup: 1000 },
    },
    {
        name: "iam:differential",
        parse: parseIamDifferentialArguments,
        option: "policies",
        value: "100",
        settings: { policies: 100, seed: 20260101 },
    },
    { name: "bench-document-validity", parse: parseDocumentValidityArguments, option: "runs", value: "300", settings: { runs: 300 } },
    {
        name: "bench:pack-start",
        parse: parseBenchPackStartArguments,
        option: "rounds",
        value: "3",
        settings: { rounds: 3, typescript: true },
    },
];

describe("the scripts' arguments (util.parseArgs)", () => {
    for (const script of SCRIPTS) {
        it(`${script.name}: --${script.option}=N and --${script.option} N alike, --help, and a bad argument refused with the usage`, () => {
            assert.deepEqual(script.parse([`--${script.option}=${script.value}`]), { settings: script.settings });
            assert.deepEqual(script.parse([`--${script.option}`, script.value]), { settings: script.settings });
            const help = script.parse(["--help"]);
            assert.ok("status" in help && help.status === 0);
            assert.match(help.text, new RegExp(`^usage: .*${script.name}[^]*\\n  --${script.option} [^]*\\n  --help +this text$`));
            const refusals: Array<[string[], string]> = [
                [["--bogus"], "Unknown option '--bogus'"],
                [["stray"], "Unexpected argument 'stray'"],
                [[`--${script.option}`], `Option '--${script.option} <value>' argument missing`],
                [[`--${script.option}=0`], `--${script.option} takes a`],
            ];
            for (const [argv, message] of refusals) {
                const refused = script.parse(argv);
                assert.ok("status" in refused && refused.status === 2, `${argv.join(" ")} must be refused`);
                assert.ok(refused.text.startsWith(message), `${argv.join(" ")}: ${refused.text.split("\n")[0]}`);
                assert.ok(refused.text.endsWith(help.text), "the usage follows what is wrong");
            }
        });
    }

    it("bench:pack-start leaves out the TypeScript sources' start with --no-typescript", () => {
        assert.deepEqual(parseBenchPackStartArguments(["--no-typescript"]), { settings: { rounds: 5, typescript: false } });
    });

    it("bench:data takes BENCH_DATA_MB when --mb is not given", () => {
        assert.deepEqual(parseBenchDataArguments([], { BENCH_DATA_MB: "20" }), { settings: { megabytes: 20 } });
        assert.deepEqual(parseBenchDataArguments(["--mb=30"], { BENCH_DATA_MB: "20" }), { settings: { megabytes: 30 } });
        assert.deepEqual(parseBenchDataArguments([]), { settings: { megabytes: 1024 } });
    });

    it("bench:data removes its temporary folder on Ctrl-C (SIGINT), and exits as interrupted", async () => {
        const child = spawn(process.execPath, ["-r", "ts-node/register/transpile-only", "scripts/bench-data.ts", "--mb", "4000"], {
            cwd: ROOT,
            stdio: ["ignore", "pipe", "pipe"],
        });
        let dir: string | undefined;
        try {
            // "generating 4000 MB of interactions in <folder> … ": the folder is there, its file about to be written.
            dir = await new Promise<string>((resolve, reject) => {
                let out = "";
                child.stdout.on("data", (chunk: Buffer) => {
                    out += chunk.toString();
                    const match = / in (\S+) … /.exec(out);
                    if (match) resolve(match[1]);
                });
                child.once("exit", code => reject(new Error(`bench:data exited ${code} before generating: ${out}`)));
            });
            assert.ok(existsSync(dir));
            const exit = new Promise<number | null>(resolve => child.once("exit", code => resolve(code)));
            child.kill("SIGINT");
            assert.equal(await exit, 130);
            assert.equal(existsSync(dir), false, `${dir} is left behind`);
        } finally {
            child.kill("SIGKILL");
            if (dir) rmSync(dir, { recursive: true, force: true });
        }
    });
});
