import type { GetObjectCommandOutput } from "@aws-sdk/client-s3";
import { describeS3Error, parseS3Uri, s3Client, S3ReadError, type S3Location } from "./s3-client";
import type { SourceReader } from "./source";

/**
 * An S3 object read as a file: positioned reads served by ranged GETs. A reader that reads on from where it stopped
 * (the scanner does) gets the next parts fetched ahead of it, several at once, so that a single object streams at
 * the network's pace rather than one request's; parts it has passed are dropped, so memory stays at
 * PART_BYTES × (PARTS_AHEAD + 1) per reader whatever the object's size. CPU parallelism is the engine's: it splits
 * a large object at a line break and each thread opens its own reader.
 */

/** Bytes per ranged GET once reading is sequential. */
export const PART_BYTES = 8 << 20;
/** Parts fetched ahead of the reader, in flight together. */
export const PARTS_AHEAD = 4;

/** What the listing said of an object: with it, a reader needs no HEAD and pins every GET to that version. */
export interface ObjectVersion {
    size: number;
    etag: string;
}

/** Objects listed in this thread, by s3:// name (a worker thread learns size and ETag from its first GET instead). */
const listed = new Map<string, ObjectVersion>();

export function rememberObject(uri: string, version: ObjectVersion): void {
    listed.set(uri, version);
}

/** What the listing of this thread said of an object, if it was listed. */
export function listedVersion(uri: string): ObjectVersion | undefined {
    return listed.get(uri);
}

interface Part {
    start: number;
    end: number;
    data: Promise<Buffer>;
}

class S3ObjectReader implements SourceReader {
    /** Parts fetched ahead, in order, contiguous from parts[0].start. */
    private parts: Part[] = [];
    /** Where the last read ended: a read starting there is sequential. */
    private nextPosition = -1;
    /** Cancels the requests still running when the reader is closed (the range it served ended before them). */
    private readonly abort = new AbortController();

    constructor(
        private readonly uri: string,
        private readonly location: S3Location,
        private version: ObjectVersion | undefined,
    ) {}

    async read(buf: Buffer, offset: number, length: number, position: number): Promise<number> {
        if (this.version && position >= this.version.size) return 0;
        const sequential = position === this.nextPosition;
        if (!sequential || this.parts.length === 0 || position < this.parts[0].start) this.parts = [];
        let copied = 0;
        if (!sequential && this.parts.length === 0) {
            // A read somewhere new (the header, the middle of the object): fetch just what is asked.
            const data = await this.fetch(position, position + length);
            data.copy(buf, offset);
            copied = data.length;
        } else {
            while (copied < length) {
                const at = position + copied;
                this.fillAhead(at);
                const part = this.parts.find(p => p.start <= at && at < p.end);
                if (!part) break; // past the end of the object
                const data = await part.data;
                const n = data.copy(buf, offset + copied, at - part.start, Math.min(data.length, at - part.start + length - copied));
                copied += n;
                if (n === 0 || data.length < part.end - part.start) break; // the object ended within this part
            }
        }
        this.nextPosition = position + copied;
        // Parts wholly behind the reader are no longer needed.
        while (this.parts.length > 0 && this.parts[0].end <= this.nextPosition) this.parts.shift();
        return copied;
    }

    /** Keeps PARTS_AHEAD parts requested beyond `position`, within the object. */
    private fillAhead(position: number): void {
        let start = this.parts.length > 0 ? this.parts[this.parts.length - 1].end : position;
        const size = this.version?.size ?? Infinity;
        while (start < size && this.parts.filter(p => p.end > position).length <= PARTS_AHEAD) {
            const end = Math.min(start + PART_BYTES, size);
            const data = this.fetch(start, end);
            data.catch(() => undefined); // awaited when its turn comes; a reader closed before then never awaits it
            this.parts.push({ start, end, data });
            start = end;
            if (this.version === undefined) break; // one at a time until the first answer tells the size
        }
    }

    /** Bytes [start, end) of the object, fewer at its end; empty past it. */
    private async fetch(start: number, end: number): Promise<Buffer> {
        const { GetObjectCommand } = require("@aws-sdk/client-s3") as typeof import("@aws-sdk/client-s3");
        const client = await s3Client();
        let response: GetObjectCommandOutput;
        try {
            response = await client.send(
                new GetObjectCommand({
                    Bucket: this.location.bucket,
                    Key: this.location.key,
                    Range: `bytes=${start}-${end - 1}`,
                    // Every part from the version listed (or first read): an object rewritten meanwhile fails, never mixes.
                    IfMatch: this.version?.etag,
                }),
                { abortSignal: this.abort.signal },
            );
        } catch (error) {
            if ((error as { name?: string }).name === "InvalidRange") return Buffer.alloc(0); // at or past the end
            throw describeS3Error(error, this.uri, "s3:GetObject");
        }
        this.learnVersion(response);
        const data = Buffer.allocUnsafe(Number(response.ContentLength ?? end - start));
        let filled = 0;
        for await (const piece of response.Body as AsyncIterable<Buffer>) filled += piece.copy(data, filled);
        return data.subarray(0, filled);
    }

    /** Size and ETag from the first answer (`Content-Range: bytes a-b/size`), when no listing gave them. */
    private learnVersion(response: GetObjectCommandOutput): void {
        if (this.version) return;
        const size = Number(/\/(\d+)$/.exec(response.ContentRange ?? "")?.[1]);
        if (Number.isFinite(size) && response.ETag) this.version = { size, etag: response.ETag };
    }

    async close(): Promise<void> {
        this.abort.abort();
        this.parts = [];
    }
}

export async function openS3Object(uri: string): Promise<SourceReader> {
    const location = parseS3Uri(uri);
    if (!location || location.key === "" || location.key.endsWith("/"))
        throw new S3ReadError(`${uri}: not an S3 object (s3://bucket/key)`, "NotAnObject");
    return new S3ObjectReader(uri, location, listedVersion(uri));
}
