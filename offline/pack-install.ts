/**
 * A copy of the policy pack as `pulumi policy publish` uploads it and the Pulumi CLI installs it:
 * the pack folder on its own, with a `node_modules` that holds only what its package.json
 * declares (and what those packages need), and no folder above it to fall back on.
 *
 * Nothing is downloaded: the packages are taken from this project's install, hard-linked (copied
 * where links are not possible), laid out as npm laid them out here.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";

interface PackageJson {
    dependencies?: Record<string, string>;
    optionalDependencies?: Record<string, string>;
    peerDependencies?: Record<string, string>;
    peerDependenciesMeta?: Record<string, { optional?: boolean }>;
}

function readPackageJson(dir: string): PackageJson {
    return JSON.parse(fs.readFileSync(path.join(dir, "package.json"), "utf8"));
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
                throw new Error(`${name}, needed by ${path.relative(root, dir) || "the pack"}, is not installed under ${root}; run npm ci`);
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

export interface PackCopy {
    dir: string;
    /** The packages its node_modules holds, relative to it (e.g. `node_modules/@pulumi/policy`). */
    packages: string[];
    remove(): void;
}

/**
 * Copies `packDir` (without its node_modules) into a new temporary folder and installs beside it
 * the packages its package.json declares, resolved from `root`'s install. `editPackageJson`
 * changes the copy's package.json first (to try a pack as it used to be).
 */
export function installPackAlone(packDir: string, root: string, editPackageJson?: (pkg: PackageJson) => PackageJson): PackCopy {
    // Outside the project, so that no node_modules above the copy can stand in for a missing package.
    // mkdtemp makes a new folder with a random name that only this user can write (mode 0700), so the
    // code the pack copy runs is the code copied here, not something another user planted.
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "policypack-alone-"));
    // Nothing above the copy may hold packages: Node would find them there.
    for (let at = path.dirname(dir); at !== path.dirname(at); at = path.dirname(at)) {
        if (fs.existsSync(path.join(at, "node_modules"))) throw new Error(`${at}/node_modules would be seen by the pack copy in ${dir}`);
    }
    fs.cpSync(packDir, dir, { recursive: true, filter: source => path.basename(source) !== "node_modules" });
    const pkg = editPackageJson ? editPackageJson(readPackageJson(dir)) : readPackageJson(dir);
    fs.writeFileSync(path.join(dir, "package.json"), `${JSON.stringify(pkg, null, 2)}\n`);
    const rootModules = path.join(root, "node_modules");
    // Packages nested in another package's node_modules come with it.
    const topLevel = dependencyClosure(pkg, packDir, root).filter(
        location => !path.relative(rootModules, location).includes("node_modules"),
    );
    for (const location of topLevel) linkTree(location, path.join(dir, path.relative(root, location)));
    return {
        dir,
        packages: topLevel.map(location => path.relative(root, location)).sort(),
        remove: () => fs.rmSync(dir, { recursive: true, force: true }),
    };
}
