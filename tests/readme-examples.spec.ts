import * as assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { PROJECT_DIR, runProgram } from "../offline/program";

/** The README's `sh` code blocks, grouped by the section they are in (a later block may use what an earlier one set). */
function shellExamples(): Array<{ section: string; script: string }> {
    const sections = new Map<string, string[]>();
    let section = "";
    let block: string[] | undefined;
    for (const line of fs.readFileSync(path.join(PROJECT_DIR, "README.md"), "utf8").split("\n")) {
        if (block === undefined && /^#+ /.test(line)) section = line.replace(/^#+ /, "");
        else if (block === undefined && line === "```sh") block = [];
        else if (block !== undefined && line === "```") {
            sections.set(section, [...(sections.get(section) ?? []), block.join("\n")]);
            block = undefined;
        } else block?.push(line);
    }
    return [...sections].map(([name, blocks]) => ({ section: name, script: blocks.join("\n") }));
}

/** Commands that stand in for the real ones: each logs its arguments; `pulumi stack output` answers from `outputs/`. */
const STUBS: Record<string, string> = {
    pulumi: `#!/bin/sh
printf 'pulumi %s\\n' "$*" >> "$STUB_LOG"
if [ "$1 $2" = "stack output" ]; then
    file="$STUB_OUTPUTS/$3"
    if [ "\${4:-}" = "--json" ]; then file="$file.json"; fi
    if [ ! -f "$file" ]; then echo "error: current stack does not have output property '$3'" >&2; exit 1; fi
    cat "$file"
fi
`,
    aws: `#!/bin/sh
printf 'aws %s\\n' "$*" >> "$STUB_LOG"
`,
    npm: `#!/bin/sh
printf 'npm %s\\n' "$*" >> "$STUB_LOG"
`,
    // jq -r '."key"': the one filter the README uses.
    jq: `#!/usr/bin/env node
const filter = process.argv.slice(2).filter(a => a !== "-r")[0];
const key = /^\\."([^"]+)"$/.exec(filter);
if (!key) { console.error("jq stub: unsupported filter " + filter); process.exit(2); }
const value = JSON.parse(require("fs").readFileSync(0, "utf8"))[key[1]];
if (value === undefined) { console.error("jq stub: no " + key[1]); process.exit(1); }
console.log(value);
`,
};

describe("the README's shell examples, run by a POSIX shell (sh -eu) with pulumi, aws, npm and jq stubbed", () => {
    let dir: string;
    before(async () => {
        // Stack outputs as a batch stack with a KMS key has them: every output the examples read.
        const { outputs, error } = await runProgram({ stack: "prod", config: { kmsKey: "create" } });
        assert.equal(error, undefined);
        dir = fs.mkdtempSync(path.join(os.tmpdir(), "readme-examples-"));
        for (const sub of ["bin", "outputs", "work"]) fs.mkdirSync(path.join(dir, sub));
        // The project's folders, empty, for the examples that cd into one.
        for (const entry of fs.readdirSync(PROJECT_DIR, { withFileTypes: true }))
            if (entry.isDirectory() && !entry.name.startsWith(".") && entry.name !== "node_modules")
                fs.mkdirSync(path.join(dir, "work", entry.name));
        for (const [name, text] of Object.entries(STUBS)) fs.writeFileSync(path.join(dir, "bin", name), text, { mode: 0o755 });
        for (const [name, value] of Object.entries(outputs)) {
            fs.writeFileSync(path.join(dir, "outputs", name), `${typeof value === "string" ? value : JSON.stringify(value)}\n`);
            fs.writeFileSync(path.join(dir, "outputs", `${name}.json`), `${JSON.stringify(value)}\n`);
        }
    });
    after(() => fs.rmSync(dir, { recursive: true, force: true }));

    const examples = shellExamples();
    it("finds the examples", () => {
        assert.ok(examples.length >= 7, examples.map(e => e.section).join(", "));
    });

    for (const { section, script } of examples) {
        it(`${section}: sets every variable it uses and reads only outputs the stack has`, () => {
            const log = path.join(dir, `${examples.findIndex(e => e.section === section)}.log`);
            // Placeholders such as <org> are for the reader to fill in; to a shell they are redirections.
            const runnable = script.replace(/<([a-z][a-z-]*)>/g, "example-$1");
            const result = spawnSync("sh", ["-eu", "-c", runnable], {
                cwd: path.join(dir, "work"),
                encoding: "utf8",
                env: {
                    PATH: `${path.join(dir, "bin")}:${process.env.PATH}`,
                    HOME: path.join(dir, "work"),
                    STUB_LOG: log,
                    STUB_OUTPUTS: path.join(dir, "outputs"),
                },
            });
            assert.equal(result.stderr, "");
            assert.equal(result.status, 0);
            // What the AWS CLI would get: locations and keys, not empty expansions.
            const calls = fs.existsSync(log) ? fs.readFileSync(log, "utf8") : "";
            for (const [, key, value] of calls.matchAll(/\b(path|dataLocation)=([^,}\s]*)/g))
                assert.match(value, /^s3:\/\/personalize-data-prod-[\w-]+\/\S+$/, `${key}=${value}`);
            for (const [, value] of calls.matchAll(/(?:kmsKeyArn=|--kms-key-arn )([^,}\s]*)/g)) assert.match(value, /^arn:aws:kms:/);
            for (const [, value] of calls.matchAll(/--role-arn (\S*)/g)) assert.match(value, /^arn:aws:iam::\d{12}:role\//);
        });
    }
});
