import { createHash } from "crypto";
import { promises as fs } from "fs";
import { ResultCache, SourceVersion, localFileVersion } from "./cache";
import { openSource } from "./sources/source";

/**
 * The SHA-256 (hex) of a source's bytes, read through the source's reader, and kept in the cache for that source
 * version: unchanged data is hashed once, not on every run.
 */
export async function sourceDigest(source: SourceVersion, cache?: ResultCache): Promise<string> {
    const known = await cache?.getDigest(source);
    if (known !== undefined) return known;
    const hash = createHash("sha256");
    const reader = await openSource(source.name);
    const buf = Buffer.allocUnsafe(1 << 20);
    let position = 0;
    try {
        for (let bytesRead = 1; bytesRead > 0; position += bytesRead) {
            bytesRead = await reader.read(buf, 0, buf.length, position);
            hash.update(buf.subarray(0, bytesRead));
        }
    } finally {
        await reader.close();
    }
    const digest = hash.digest("hex");
    // Bytes that changed while they were read are no longer the version listed: hashed, but not kept.
    if (position === source.size) await cache?.setDigest(source, digest);
    return digest;
}

/** The SHA-256 of a local file's bytes, from the data-check cache in `cacheDir` when the file is unchanged. */
export async function localFileDigest(file: string, cacheDir?: string): Promise<string> {
    const source = localFileVersion(file, await fs.stat(file));
    return sourceDigest(source, cacheDir === undefined ? undefined : new ResultCache(cacheDir));
}
