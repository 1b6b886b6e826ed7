import { describeS3Error, parseS3Uri, s3Client, S3ReadError, s3Uri, type S3Location } from "./s3-client";
import { listedVersion, rememberObject, type ObjectVersion } from "./s3-object";

/**
 * What is in an S3 folder (or names one object): the objects to check as data, each with its size and ETag, and
 * what a pipeline leaves beside its data. Listing reads up to 1,000 keys a request (ListObjectsV2:
 * https://docs.aws.amazon.com/AmazonS3/latest/API/API_ListObjectsV2.html), so a folder of thousands of part files
 * costs a few requests, and the listing is all the checker and the import job names need to know of an unchanged
 * object.
 */

export interface ListedObject {
    uri: string;
    key: string;
    size: number;
    /** As S3 gives it, quotes included. */
    etag: string;
}

/** What pipelines leave in a folder beside their data, by kind. */
export type LeftoverKind = "success-marker" | "checksum-file" | "commit-marker" | "folder-marker" | "sub-folder";

export interface Leftover {
    kind: LeftoverKind;
    /** The object, or for a sub-folder the folder (`s3://bucket/prefix/sub/`). */
    uri: string;
    /** A sub-folder: how many objects it holds. */
    objects?: number;
}

export interface S3Listing {
    /** The folder (ending in "/") or the object, as an s3:// URI. */
    uri: string;
    /** The folder's data objects in key order, or the one object named. */
    objects: ListedObject[];
    leftovers: Leftover[];
    /** Every object listed (leftovers too, sub-folders' included), in key order: all an import of the folder may read. */
    listed: ListedObject[];
}

/** Every object whose key starts with the location's key, in key order (S3 lists in UTF-8 binary order), page by page. */
async function listKeys(location: S3Location, uri: string): Promise<ListedObject[]> {
    const { paginateListObjectsV2 } = require("@aws-sdk/client-s3") as typeof import("@aws-sdk/client-s3");
    const objects: ListedObject[] = [];
    try {
        for await (const page of paginateListObjectsV2({ client: await s3Client() }, { Bucket: location.bucket, Prefix: location.key })) {
            for (const o of page.Contents ?? []) {
                if (o.Key === undefined) continue;
                objects.push({ uri: s3Uri({ bucket: location.bucket, key: o.Key }), key: o.Key, size: o.Size ?? 0, etag: o.ETag ?? "" });
            }
        }
    } catch (error) {
        throw describeS3Error(error, uri, "s3:ListBucket");
    }
    return objects;
}

/**
 * The kind of leftover a key of the folder is, from its part after the folder; undefined for data.
 * - `_SUCCESS`: the marker Hadoop's and Spark's file output committer writes when a job succeeds.
 * - `*.crc`: checksum files of Hadoop's local file system, carried along when a local output is copied up.
 * - `_committed_*`, `_started_*`: Databricks' transactional commit markers.
 * - an empty "folder" object: a key ending in "/" (the S3 console's Create folder), or `_$folder$` (old EMR).
 * - anything further down: a sub-folder.
 */
function leftoverKind(relative: string): LeftoverKind | undefined {
    if (relative === "" || relative.endsWith("_$folder$")) return "folder-marker";
    if (relative.includes("/")) return "sub-folder";
    if (relative === "_SUCCESS") return "success-marker";
    if (relative.endsWith(".crc")) return "checksum-file";
    if (relative.startsWith("_committed_") || relative.startsWith("_started_")) return "commit-marker";
    return undefined;
}

/** Sorts a folder's objects into data and leftovers; sub-folders are reported once each, with their object count. */
function sortFolder(folder: S3Location, objects: ListedObject[]): Omit<S3Listing, "uri" | "listed"> {
    const data: ListedObject[] = [];
    const leftovers: Leftover[] = [];
    const subFolders = new Map<string, Leftover>();
    for (const object of objects) {
        const relative = object.key.slice(folder.key.length);
        const kind = leftoverKind(relative);
        if (kind === undefined) data.push(object);
        else if (kind !== "sub-folder") leftovers.push({ kind, uri: object.uri });
        else {
            const sub = s3Uri({ bucket: folder.bucket, key: `${folder.key}${relative.slice(0, relative.indexOf("/") + 1)}` });
            const entry = subFolders.get(sub) ?? { kind, uri: sub, objects: 0 };
            entry.objects! += 1;
            subFolders.set(sub, entry);
        }
    }
    return { objects: data, leftovers: [...leftovers, ...subFolders.values()] };
}

/**
 * Lists an S3 location: `s3://bucket/folder/` (or the bucket root) is a folder; `s3://bucket/key` is that object, or,
 * if there is none of that name, the folder `key/`. Each data object is remembered with its size and ETag, so that
 * reading it costs no HEAD and every read is pinned to the listed version. An empty listing is not an error here:
 * an empty folder is normal before a pipeline's first run.
 */
export async function listS3(uri: string): Promise<S3Listing> {
    const location = parseS3Uri(uri);
    if (!location) throw new S3ReadError(`${uri}: not an S3 location; write s3://bucket/folder/ or s3://bucket/key`, "NotAnObject");
    const folderNamed = location.key === "" || location.key.endsWith("/");
    const found = await listKeys(location, uri);
    let listing: S3Listing;
    const exact = folderNamed ? undefined : found.find(o => o.key === location.key);
    if (exact) listing = { uri, objects: [exact], leftovers: [], listed: [exact] };
    else {
        const folder = folderNamed ? location : { bucket: location.bucket, key: `${location.key}/` };
        const inFolder = found.filter(o => o.key.startsWith(folder.key));
        listing = { uri: s3Uri(folder), ...sortFolder(folder, inFolder), listed: inFolder };
    }
    for (const o of listing.objects) rememberObject(o.uri, { size: o.size, etag: o.etag });
    return listing;
}

/** An object's size and ETag: from this thread's listing, else from listing the object itself (no HEAD, no read). */
export async function objectVersion(uri: string): Promise<ObjectVersion> {
    const known = listedVersion(uri);
    if (known) return known;
    const listing = await listS3(uri);
    const object = listing.objects.find(o => o.uri === uri);
    if (!object) throw new S3ReadError(`${uri}: no such object; name an object (s3://bucket/key) or a folder ending in "/"`, "NoSuchKey");
    return { size: object.size, etag: object.etag };
}

/** The problem with a listing that has no data object, naming what else is there. */
export function noDataMessage(listing: S3Listing): string {
    const others = listing.leftovers.length > 0 ? ` (only ${listing.leftovers.map(l => l.uri).join(", ")})` : "";
    return `${listing.uri}: no data objects under this prefix${others}; check the bucket and folder, or run the pipeline that writes it first`;
}

/**
 * A warning about one leftover: what it is and the fix. Personalize imports "multiple files" of a folder given with a
 * trailing "/" and says of sub folders only that a data deletion job reads them
 * (https://docs.aws.amazon.com/personalize/latest/dg/API_DataSource.html): it doesn't say that an import skips
 * markers, checksum files or sub-folders, so each is named rather than assumed harmless.
 */
export function leftoverWarning(leftover: Leftover): string {
    const unsaid = "Personalize's documentation doesn't say that an import skips it";
    switch (leftover.kind) {
        case "success-marker":
            return `${leftover.uri}: a job's success marker (Hadoop, Spark), not data; ${unsaid}. Turn it off (Spark: mapreduce.fileoutputcommitter.marksuccessfuljobs=false) or delete it once the job is done`;
        case "checksum-file":
            return `${leftover.uri}: a Hadoop checksum file, not data; ${unsaid}. Copy the output without them (aws s3 sync --exclude '*.crc') or delete them`;
        case "commit-marker":
            return `${leftover.uri}: a Databricks commit marker, not data; ${unsaid}. Write the export with Spark's own commit protocol (spark.sql.sources.commitProtocolClass=org.apache.spark.sql.execution.datasources.SQLHadoopMapReduceCommitProtocol) or delete the markers once the write is done`;
        case "folder-marker":
            return `${leftover.uri}: an empty "folder" object, not data; ${unsaid}. Delete it (the folder exists as long as objects are in it)`;
        case "sub-folder":
            return `${leftover.uri}: a sub-folder (${leftover.objects} object${leftover.objects === 1 ? "" : "s"}) inside the dataset's folder, which the data checks skip; Personalize's documentation doesn't say whether an import reads sub-folders. Write the dataset's files directly in the folder, or move the sub-folder out`;
    }
}
