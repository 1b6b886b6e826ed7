// The pack's build (its `prepare` script): compiles the TypeScript sources into bin/ with TypeScript 7, the
// native compiler, in about a second where TypeScript 5 takes about five; npm runs it on every install of the pack
// (the CLI's included) and on `npm pack`. TypeScript 7 is installed under the alias typescript-7 because
// @pulumi/pulumi's peer range for typescript stops below 7. Plain JavaScript: nothing is compiled yet when it runs.
const { spawnSync } = require("node:child_process");
const path = require("node:path");

const tsc = path.join(path.dirname(require.resolve("typescript-7/package.json")), "bin", "tsc");
const result = spawnSync(process.execPath, [tsc, "-p", path.join(__dirname, "tsconfig.json")], { stdio: "inherit" });
process.exit(result.status ?? 1);
