import { checkDataFiles, type DataFile, type DataReport, type DatasetType } from "../datacheck";
import { leftoverWarning, listS3, type ListedObject, type S3Listing } from "../datacheck/sources/s3-listing";
import { S3ReadError, s3Uri } from "../datacheck/sources/s3-client";
import type { Settings } from "./settings";

/**
 * Data a pipeline writes into the bucket (`dataSource: s3`): each dataset in its own folder `<keyPrefix>/<type>/`,
 * listed and checked before anything is declared, as local files are. Listing costs one request per 1,000 objects;
 * an object checked before (same bucket, key, size and ETag, same schema and options) is not read again.
 */

/** One dataset's folder as listed now. */
export interface S3DatasetFolder {
    type: DatasetType;
    /** `<keyPrefix>/<type>/`. */
    folder: string;
    /** `s3://<bucket>/<keyPrefix>/<type>/`. */
    uri: string;
    /** Every object in the folder (data and leftovers), in key order: what an import of the folder may read. */
    listed: ListedObject[];
    /** The data objects, which were checked. */
    objects: ListedObject[];
}

export interface S3Data {
    folders: S3DatasetFolder[];
    report: DataReport;
    /** What to tell the user: leftovers beside the data, folders without data. */
    warnings: string[];
}

/**
 * Lists every dataset folder and checks its data objects. A bucket that doesn't exist yet (the first `pulumi up`
 * creates it) reads as empty folders; any other failure to read S3 (no credentials, access denied) is thrown as the
 * one line the checker's source says.
 */
export async function readS3Data(bucketName: string, settings: Settings, cacheDir: string | undefined): Promise<S3Data> {
    const folders: S3DatasetFolder[] = [];
    const warnings: string[] = [];
    let bucketMissing = false;
    for (const type of settings.s3Datasets) {
        const folder = `${settings.keyPrefix}/${type}/`;
        const uri = s3Uri({ bucket: bucketName, key: folder });
        let listing: Omit<S3Listing, "uri"> = { objects: [], listed: [], leftovers: [] };
        if (!bucketMissing) {
            try {
                listing = await listS3(uri);
            } catch (error) {
                if (!(error instanceof S3ReadError && error.code === "NoSuchBucket")) throw error;
                bucketMissing = true;
            }
        }
        warnings.push(...listing.leftovers.map(leftoverWarning));
        if (listing.objects.length === 0)
            warnings.push(
                `${uri} holds no data yet${bucketMissing ? ` (bucket "${bucketName}" doesn't exist yet: this stack creates it)` : ""}: ` +
                    `the ${type} dataset has nothing to check or import until the pipeline writes it`,
            );
        folders.push({ type, folder, uri, listed: listing.listed, objects: listing.objects });
    }
    const files: DataFile[] = folders.flatMap(f =>
        f.objects.map(o => ({ path: o.uri, datasetType: f.type, schemaPath: settings.schemas[f.type] })),
    );
    const report = await checkDataFiles(files, { headerOnlyAboveBytes: settings.headerOnlyAbove, cacheDir });
    return { folders, report, warnings };
}
