import { promises as fs } from "fs";
import { isS3Uri } from "./s3-client";
import { openS3Object } from "./s3-object";

/**
 * Where the checker reads a data file's bytes from, behind one interface so that the scanner and its worker threads
 * don't care whether the bytes come from a local file or elsewhere. A source is named by a plain string (the name
 * the report prints), so that a worker thread can open the same source again from the name alone.
 */
export interface SourceReader {
    /** Reads up to `length` bytes at `position` into `buf` at `offset`; returns the bytes read, fewer only at the end. */
    read(buf: Buffer, offset: number, length: number, position: number): Promise<number>;
    close(): Promise<void>;
}

/** A local file, read with positioned reads (no stream: the scanner reuses one buffer). */
async function openLocalFile(path: string): Promise<SourceReader> {
    const file = await fs.open(path, "r");
    return {
        read: async (buf, offset, length, position) => (await file.read(buf, offset, length, position)).bytesRead,
        close: () => file.close(),
    };
}

/** `s3://bucket/key` is an S3 object; any other name a local file. */
export function openSource(name: string): Promise<SourceReader> {
    return isS3Uri(name) ? openS3Object(name) : openLocalFile(name);
}
