/**
 * A copy of the policy pack as `pulumi policy publish` uploads it and the Pulumi CLI installs it
 * (pulumi/pulumi, read at its current main):
 * - publish (`pkg/cmd/pulumi/policy/policy_publish.go`, `pkg/backend/httpstate/policypack.go`
 *   `Publish`) starts the pack from its folder for its name, version and policies, then uploads
 *   what `npm pack` makes of the folder (`sdk/nodejs/npm/npm.go` `Pack`): the files npm packs
 *   (`files` in package.json, ignore files, the workspace root's ignore file), after running the
 *   `prepack` and `prepare` scripts. It runs no install and no build of its own;
 * - install (`installRequiredPolicy` in the same file) unpacks the tarball's `package/` folder and
 *   has the Node.js language host install its dependencies (`sdk/nodejs/cmd/pulumi-language-nodejs`
 *   `InstallDependencies`, `installcache.go` `installShared`): `npm install --loglevel=error` in
 *   that folder, which runs the package's own install scripts (npm `lib/commands/install.js`:
 *   preinstall, install, postinstall, prepublish, preprepare, prepare, postprepare).
 *
 * Here: the files `npm pack` lists, copied into a new temporary folder; a `node_modules` beside
 * them with only what the pack's package.json declares, taken from this project's install
 * (hard-linked, copied where links are not possible, laid out as npm laid them out here: nothing
 * downloaded) and its commands in `node_modules/.bin`; then the pack's install scripts, run by npm
 * as `npm install` runs them. The copy is removed by `remove()`, and by an interrupt before it
 * (interrupts.ts), which stops the commands still running too.
 */
import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { onInterrupt, temporaryFolder } from "./interrupts";

interface PackageJson {
    name?: string;
    bin?: string | Record<string, string>;
    scripts?: Record<string, string>;
    dependencies?: Record<string, string>;
    optionalDependencies?: Record<string, string>;
    peerDependencies?: Record<string, string>;
    peerDependenciesMeta?: Record<string, { optional?: boolean }>;
}

/** The scripts `npm install` runs for the package it installs, in its order (npm `lib/commands/install.js`). */
export const INSTALL_SCRIPTS = ["preinstall", "install", "postinstall", "prepublish", "preprepare", "prepare", "postprepare"];

/** The pack could not be listed, installed or built; the message says which step and what it printed. */
export class PackInstallError extends Error {}

function readPackageJson(dir: string): PackageJson {
    return JSON.parse(fs.readFileSync(path.join(dir, "package.json"), "utf8"));
}

/** Runs a command; resolves with its output, rejects with it (and the step named) if it fails. */
function run(command: string, args: string[], cwd: string, step: string): Promise<string> {
    return new Promise((resolve, reject) => {
        // A process group of its own, which an interrupt stops whole (npm, the shell, the script's command).
        const child = spawn(command, args, { cwd, env: aloneEnv(), stdio: ["ignore", "pipe", "pipe"], detached: true });
        // Stopped by an interrupt too: a command started just after the signal came would go on writing into the removed copy.
        const done = onInterrupt(() => child.pid !== undefined && stopGroup(child.pid));
        let stdout = "";
        let stderr = "";
        child.stdout.on("data", chunk => (stdout += chunk));
        child.stderr.on("data", chunk => (stderr += chunk));
        child.once("error", err => {
            done();
            reject(new PackInstallError(`${step}: ${err.message}`));
        });
        child.once("close", (code, signal) => {
            done();
            if (code === 0) resolve(stdout);
            else reject(new PackInstallError(`${step} failed (${signal ?? `exit ${code}`}):\n${`${stdout}${stderr}`.trim()}`));
        });
    });
}

/**
 * This environment without the `node_modules/.bin` folders npm and npx put on PATH for this project:
 * the pack's scripts find their commands in its own node_modules, as in the CLI's install.
 */
function aloneEnv(): NodeJS.ProcessEnv {
    const PATH = (process.env.PATH ?? "")
        .split(path.delimiter)
        .filter(dir => path.basename(dir) !== ".bin" || path.basename(path.dirname(dir)) !== "node_modules")
        .join(path.delimiter);
    return { ...process.env, PATH };
}

function stopGroup(pid: number): void {
    try {
        process.kill(-pid, "SIGKILL");
    } catch {
        // Already gone.
    }
}

/**
 * The files `npm pack` puts in the pack's tarball, as paths relative to `packDir`. npm itself
 * lists them (`--dry-run --json`), without running the pack's scripts: the copy runs them.
 */
export async function packedFiles(packDir: string): Promise<string[]> {
    const out = await run("npm", ["pack", "--dry-run", "--json", "--ignore-scripts", "--loglevel=error"], packDir, "npm pack");
    const [tarball] = JSON.parse(out) as { files: { path: string }[] }[];
    return tarball.files.map(file => file.path).sort();
}

/** Where Node would find package `name` from `dir`, looking no higher than `root`. */
function resolvePackage(name: string, dir: string, root: string): string | undefined {
    for (let at = dir; ; at = path.dirname(at)) {
        const candidate = path.join(at, "node_modules", name);
        if (fs.existsSync(path.join(candidate, "package.json"))) return candidate;
        if (at === root || at === path.dirname(at)) return undefined;
    }
}

/**
 * The packages an install of `declared` needs, as folders of the install under `root`: the
 * declared dependencies, then theirs, as npm installs them: peer dependencies too, except those
 * marked optional (npm leaves those out unless something else needs them, which is how
 * @pulumi/pulumi's optional peers typescript and ts-node go missing); optional dependencies when
 * they are installed.
 */
export function dependencyClosure(declared: PackageJson, from: string, root: string): string[] {
    const found = new Set<string>();
    const visit = (deps: PackageJson, dir: string) => {
        const optionalPeers = Object.entries(deps.peerDependenciesMeta ?? {}).filter(([, meta]) => meta.optional);
        const peers = Object.keys(deps.peerDependencies ?? {}).filter(name => !optionalPeers.some(([peer]) => peer === name));
        const required = [...Object.keys(deps.dependencies ?? {}), ...peers];
        const names = new Set([...required, ...Object.keys(deps.optionalDependencies ?? {})]);
        for (const name of names) {
            const location = resolvePackage(name, dir, root);
            if (location === undefined) {
                if (!required.includes(name)) continue;
                throw new PackInstallError(
                    `${name}, needed by ${path.relative(root, dir) || "the pack"}, is not installed under ${root}; run npm ci`,
                );
            }
            if (found.has(location)) continue;
            found.add(location);
            visit(readPackageJson(location), location);
        }
    };
    visit(declared, from);
    return [...found];
}

/** Hard-links a folder's files into `to` (symlinks kept as symlinks), copying where linking fails. */
function linkTree(from: string, to: string): void {
    fs.mkdirSync(to, { recursive: true });
    for (const entry of fs.readdirSync(from, { withFileTypes: true })) {
        const [source, target] = [path.join(from, entry.name), path.join(to, entry.name)];
        if (entry.isDirectory()) linkTree(source, target);
        else if (entry.isSymbolicLink()) fs.symlinkSync(fs.readlinkSync(source), target);
        else {
            try {
                fs.linkSync(source, target);
            } catch {
                fs.copyFileSync(source, target);
            }
        }
    }
}

/**
 * The commands of the top-level packages, in `node_modules/.bin`, as npm links them (a `bin`
 * string is named after the package, without its scope): the pack's scripts call them by name.
 */
function linkCommands(modules: string, packages: string[]): void {
    for (const pkgDir of packages) {
        const { name, bin } = readPackageJson(pkgDir);
        if (bin === undefined || name === undefined) continue;
        const commands = typeof bin === "string" ? { [name.slice(name.lastIndexOf("/") + 1)]: bin } : bin;
        fs.mkdirSync(path.join(modules, ".bin"), { recursive: true });
        for (const [command, file] of Object.entries(commands)) {
            const link = path.join(modules, ".bin", command);
            // Two packages with one command (typescript and its alias typescript-7 both have tsc): npm's bin-links
            // (lib/link-gently.js) never links over a link it made, so the first package linked keeps it.
            if (fs.existsSync(link)) continue;
            fs.symlinkSync(path.relative(path.join(modules, ".bin"), path.join(pkgDir, file)), link);
        }
    }
}

export interface PackCopy {
    dir: string;
    /** The files of the tarball, relative to `dir`. */
    files: string[];
    /** The packages its node_modules holds, relative to it (e.g. `node_modules/@pulumi/policy`). */
    packages: string[];
    /** The install scripts that ran, in order. */
    scripts: string[];
    /** From the first file copied to the last install script's end. */
    installMs: number;
    remove(): void;
}

/**
 * Copies what `npm pack` takes of `packDir` into a new temporary folder, installs beside it the
 * packages its package.json declares, resolved from `root`'s install, and runs its install scripts.
 */
export async function installPackAlone(packDir: string, root: string): Promise<PackCopy> {
    const files = await packedFiles(packDir);
    const started = process.hrtime.bigint();
    // Outside the project, so that no node_modules above the copy can stand in for a missing package;
    // only this user can write it, so the code the copy runs is the code copied here, not something
    // another user planted.
    const { dir, remove } = temporaryFolder("policypack-alone-");
    try {
        // Nothing above the copy may hold packages: Node would find them there.
        for (let at = path.dirname(dir); at !== path.dirname(at); at = path.dirname(at)) {
            if (fs.existsSync(path.join(at, "node_modules")))
                throw new PackInstallError(`${at}/node_modules would be seen by the pack copy in ${dir}`);
        }
        // Copied, not linked: the install scripts rewrite some of them (the build's output).
        for (const file of files) {
            fs.mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
            fs.copyFileSync(path.join(packDir, file), path.join(dir, file));
        }
        const pkg = readPackageJson(dir);
        const rootModules = path.join(root, "node_modules");
        // Packages nested in another package's node_modules come with it.
        const topLevel = dependencyClosure(pkg, packDir, root).filter(
            location => !path.relative(rootModules, location).includes("node_modules"),
        );
        const modules = path.join(dir, "node_modules");
        for (const location of topLevel) linkTree(location, path.join(dir, path.relative(root, location)));
        linkCommands(
            modules,
            topLevel.map(location => path.join(dir, path.relative(root, location))),
        );
        // `npm run-script` with --ignore-scripts runs the script named and not its pre- and post-
        // scripts: each runs once, in the order npm install runs them.
        const scripts = INSTALL_SCRIPTS.filter(event => pkg.scripts?.[event] !== undefined);
        for (const event of scripts)
            await run("npm", ["run-script", event, "--ignore-scripts", "--loglevel=error"], dir, `the pack's ${event} script`);
        return {
            dir,
            files,
            packages: topLevel.map(location => path.relative(root, location)).sort(),
            scripts,
            installMs: Number(process.hrtime.bigint() - started) / 1e6,
            remove,
        };
    } catch (err) {
        remove();
        throw err;
    }
}
