import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import * as yaml from "js-yaml";
import { PROJECT_DIR, committedStacks } from "../offline/program";

describe("continuous integration and the install", () => {
    it("the pull-request workflow previews every committed stack, with its pack config, without type-checking again", () => {
        const workflow = yaml.load(fs.readFileSync(path.join(PROJECT_DIR, ".github/workflows/pull-request.yml"), "utf8")) as any;
        const preview = workflow.jobs.preview;
        assert.deepEqual([...preview.strategy.matrix.stack].sort(), committedStacks());
        const step = preview.steps.find((s: { uses?: string }) => s.uses?.startsWith("pulumi/actions@"));
        assert.equal(step.with.command, "preview");
        assert.equal(step.with.policyPacks, "policypack");
        assert.equal(step.with.policyPackConfigs, "policypack/config/${{ matrix.stack }}.json");
        assert.equal(step.env.PULUMI_NODEJS_TRANSPILE_ONLY, "true");
        for (const stack of committedStacks())
            assert.ok(fs.existsSync(path.join(PROJECT_DIR, "policypack", "config", `${stack}.json`)), stack);
    });

    it("package.json's allowScripts decides every install script of the installed packages, so npm ci names none as unreviewed", () => {
        // npm's allowScripts: name-only keys, as the lock file records no registry URL to verify a pinned version against.
        const allowScripts: Record<string, boolean> = JSON.parse(
            fs.readFileSync(path.join(PROJECT_DIR, "package.json"), "utf8"),
        ).allowScripts;
        const withScripts = new Set<string>();
        const visit = (modules: string) => {
            for (const entry of fs.existsSync(modules) ? fs.readdirSync(modules, { withFileTypes: true }) : []) {
                if (entry.name.startsWith(".")) continue;
                const dirs = entry.name.startsWith("@")
                    ? fs.readdirSync(path.join(modules, entry.name)).map(name => path.join(modules, entry.name, name))
                    : [path.join(modules, entry.name)];
                for (const dir of dirs) {
                    // A workspace is a link to this project's own folder; npm runs its scripts as the project's.
                    if (fs.lstatSync(dir).isSymbolicLink() || !fs.existsSync(path.join(dir, "package.json"))) continue;
                    const pkg = JSON.parse(fs.readFileSync(path.join(dir, "package.json"), "utf8"));
                    const scripts = pkg.scripts ?? {};
                    // npm runs `node-gyp rebuild` for a binding.gyp without an install or preinstall script.
                    const gyp = fs.existsSync(path.join(dir, "binding.gyp")) && !scripts.install && !scripts.preinstall;
                    if (scripts.preinstall || scripts.install || scripts.postinstall || gyp) withScripts.add(pkg.name);
                    visit(path.join(dir, "node_modules"));
                }
            }
        };
        visit(path.join(PROJECT_DIR, "node_modules"));
        assert.deepEqual([...withScripts].sort(), Object.keys(allowScripts).sort());
        // What the project relies on runs: swc's check of its native binary (the tests' TypeScript transpiler).
        assert.equal(allowScripts["@swc/core"], true);
    });
});
