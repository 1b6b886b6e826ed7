import { createHash } from "crypto";
import { promises as fs, readFileSync, readdirSync } from "fs";
import * as path from "path";
import { IdCounter, MAX_USER_SLOTS } from "./engines/stream/id-counter";
import { FileReport } from "./report";
import { isS3Uri } from "./sources/s3-client";
import { objectVersion } from "./sources/s3-listing";

/** A hash of the .ts/.js files of `dir` and its sub-folders, relative names and content. */
export function sourceHash(dir: string): string {
    const hash = createHash("sha256");
    const files = (readdirSync(dir, { recursive: true }) as string[]).filter(f => /\.[jt]s$/.test(f)).sort();
    for (const file of files) hash.update(file).update(readFileSync(path.join(dir, file)));
    return hash.digest("hex").slice(0, 16);
}

/**
 * The checker's version in every check key: a hash of its own source files, so that results of an older checker
 * (another rule or message) are never reused, without anyone having to remember to bump a number.
 */
let checkerVersion: string | undefined;
const checkerSourceHash = () => (checkerVersion ??= sourceHash(__dirname));

/**
 * One version of a data source's bytes, as a listing of it tells: everything cached about a source (check results,
 * the digest of its bytes) is valid for exactly this version. Any data source fits: a local file is its path, size
 * and stat times; an S3 object is `s3://bucket/key`, its size and its ETag.
 */
export interface SourceVersion {
    /** What the source is: a local file's absolute path; an object's `s3://bucket/key`. */
    name: string;
    size: number;
    /** What else changes when the bytes may have: a local file's times and inode, an object's ETag. */
    stamp: string;
}

/**
 * A local file's version. The modification time can be set back (`touch -d`, a copy that keeps times), but the
 * status-change time (ctime) can't: any write or `utimes` moves it, so a rewrite with the same size and a restored
 * mtime is still a new version. The inode tells a file replaced by another (a rename over it).
 */
export function localFileVersion(file: string, stat: { size: number; mtimeMs: number; ctimeMs: number; ino: number }): SourceVersion {
    return { name: path.resolve(file), size: stat.size, stamp: `mtime ${stat.mtimeMs} ctime ${stat.ctimeMs} ino ${stat.ino}` };
}

/** A source's version: a local file's (above), or an S3 object's from its listing: `s3://bucket/key`, size and ETag. */
export async function sourceVersion(name: string): Promise<SourceVersion> {
    if (!isS3Uri(name)) return localFileVersion(name, await fs.stat(name));
    const { size, etag } = await objectVersion(name);
    return { name, size, stamp: `etag ${etag}` };
}

/** Everything a check result depends on besides the source's bytes and the checker itself. */
export interface CheckKeyParts {
    datasetType: string;
    /** The schema file's text (or the problem reading it), hashed into the key. */
    schemaText?: string;
    /** Whether the file was over headerOnlyAbove: the threshold itself matters only through this. */
    headerOnly: boolean;
    /** The options that change a report. */
    maxProblems: number;
    linesPerProblem: number;
}

export interface CachedResult {
    report: FileReport;
    /**
     * An interactions file's per-user counts (for the minimums across files), read only when asked for: they take
     * 8 bytes a user, and most runs settle the minimums from the reports' counts alone.
     */
    users?: () => Promise<IdCounter | undefined>;
}

/** What is kept of one source version: the digest of its bytes and the result of its latest check. */
interface CacheEntry {
    source: SourceVersion;
    sha256?: string;
    check?: {
        key: string;
        report: FileReport;
        /** The file beside the entry that holds the per-user counts, if kept: named after the check key. */
        usersFile?: string;
    };
}

const sameSource = (a: SourceVersion, b: SourceVersion) => a.name === b.name && a.size === b.size && a.stamp === b.stamp;
const shortHash = (text: string) => createHash("sha256").update(text).digest("hex").slice(0, 32);

/**
 * A cache of what reading a data source costs: one small JSON file per source, named by a hash of its name, with
 * the SHA-256 of its bytes and its latest check result, each used only while the source's version (size and stamp)
 * is the same; a check result also only under the same check key (checker version, dataset type, schema content
 * and the options that change results). Unreadable or corrupt entries count as misses; failing to write one is
 * not an error either.
 */
export class ResultCache {
    constructor(
        private readonly dir: string,
        private readonly version = checkerSourceHash(),
    ) {}

    /** Each part by name, so that leaving one out is a visible change (tests/datacheck/cache.spec.ts has one per part). */
    checkKey(parts: CheckKeyParts): string {
        const schemaHash = parts.schemaText === undefined ? null : createHash("sha256").update(parts.schemaText).digest("hex");
        return JSON.stringify({
            version: this.version,
            datasetType: parts.datasetType,
            schemaHash,
            headerOnly: parts.headerOnly,
            maxProblems: parts.maxProblems,
            linesPerProblem: parts.linesPerProblem,
        });
    }

    async getCheck(source: SourceVersion, key: string): Promise<CachedResult | undefined> {
        const check = (await this.read(source))?.check;
        if (check?.key !== key || typeof check.report !== "object" || !Array.isArray(check.report.problems)) return undefined;
        const usersFile = check.usersFile;
        // A check whose per-user counts are gone (removed by hand) is a miss: the file is checked again.
        if (
            usersFile !== undefined &&
            !(await fs.access(path.join(this.dir, usersFile)).then(
                () => true,
                () => false,
            ))
        )
            return undefined;
        const users =
            usersFile === undefined
                ? undefined
                : async () => {
                      try {
                          const bytes = await fs.readFile(path.join(this.dir, usersFile));
                          return IdCounter.fromBytes(bytes, MAX_USER_SLOTS, check.report.usersCapped);
                      } catch {
                          return undefined;
                      }
                  };
        return { report: { ...check.report, path: source.name, cached: true }, users };
    }

    /** Keeps a check result, with the per-user counts when given; the source's digest stays. */
    async setCheck(source: SourceVersion, key: string, result: { report: FileReport; users?: IdCounter }): Promise<void> {
        const entry = await this.read(source);
        const name = this.entryName(source);
        const usersFile = result.users ? `${name}.${shortHash(key).slice(0, 16)}.users` : undefined;
        if (entry?.check?.usersFile !== undefined && entry.check.usersFile !== usersFile)
            await fs.rm(path.join(this.dir, entry.check.usersFile), { force: true }).catch(() => undefined);
        if (usersFile && result.users) {
            if (!(await this.writeAtomically(usersFile, result.users.toBytes()))) return;
        }
        await this.write(source, { source, sha256: entry?.sha256, check: { key, report: result.report, usersFile } });
    }

    /** The SHA-256 (hex) of the source's bytes, if known for this version. */
    async getDigest(source: SourceVersion): Promise<string | undefined> {
        const sha256 = (await this.read(source))?.sha256;
        return typeof sha256 === "string" ? sha256 : undefined;
    }

    /** Keeps the digest of the source's bytes; its check result stays. */
    async setDigest(source: SourceVersion, sha256: string): Promise<void> {
        const entry = await this.read(source);
        await this.write(source, { source, sha256, check: entry?.check });
    }

    /** Removes what is kept about the source named `name` (any version): for data that is gone for good. */
    async forget(name: string): Promise<void> {
        const entryName = shortHash(name);
        const files = await fs.readdir(this.dir).catch(() => [] as string[]);
        await Promise.all(
            files
                .filter(f => f.startsWith(`${entryName}.`))
                .map(f => fs.rm(path.join(this.dir, f), { force: true }).catch(() => undefined)),
        );
    }

    /** The entry of this source version; undefined when there is none, it is corrupt, or it is of another version. */
    private async read(source: SourceVersion): Promise<CacheEntry | undefined> {
        try {
            const entry = JSON.parse(await fs.readFile(path.join(this.dir, `${this.entryName(source)}.json`), "utf8")) as CacheEntry;
            return typeof entry === "object" && entry !== null && typeof entry.source === "object" && sameSource(entry.source, source)
                ? entry
                : undefined;
        } catch {
            return undefined;
        }
    }

    private async write(source: SourceVersion, entry: CacheEntry): Promise<void> {
        await this.writeAtomically(`${this.entryName(source)}.json`, JSON.stringify(entry));
    }

    /** Writes a file of the cache through a temporary file and a rename, so no reader sees half of it. */
    private async writeAtomically(name: string, data: string | Buffer): Promise<boolean> {
        const target = path.join(this.dir, name);
        const temporary = `${target}.${process.pid}.tmp`;
        try {
            await fs.mkdir(this.dir, { recursive: true });
            await fs.writeFile(temporary, data);
            await fs.rename(temporary, target);
            return true;
        } catch {
            await fs.rm(temporary, { force: true }).catch(() => undefined);
            return false;
        }
    }

    private entryName(source: SourceVersion): string {
        return shortHash(source.name);
    }
}
