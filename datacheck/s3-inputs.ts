import * as path from "path";
import { DATASET_TYPES, datasetTypeFromFileName, type DataFile, type DatasetType } from "./rules/dataset-type";
import { leftoverWarning, listS3, noDataMessage } from "./sources/s3-listing";

/**
 * The command's s3:// inputs: a folder (`s3://bucket/prefix/`) stands for its data objects, an object for itself.
 * The dataset of an object is, in order: given for the object or its folder (--type), said by its name
 * (interactions*.csv, …), or said by its folder's name (…/interactions/part-00000.csv, as the program lays out
 * `<keyPrefix>/<type>/` and pipelines write part files).
 */

/** The dataset a folder's name says: `…/items/`, `…/action_interactions/`; undefined for any other name. */
export function datasetTypeFromFolder(key: string): DatasetType | undefined {
    const folder = path.posix.basename(path.posix.dirname(key)).toLowerCase().replace(/_/g, "-");
    return DATASET_TYPES.find(type => type === folder);
}

export interface S3Input {
    /** The folder (ending in "/") or the object, as listed. */
    uri: string;
    files: DataFile[];
    /** Leftovers beside the data, each with its fix. */
    warnings: string[];
}

/** A problem with an input that the user fixes in the arguments: nothing to check there, or no dataset. */
export class S3InputError extends Error {}

export async function expandS3Input(
    uri: string,
    given: (name: string) => DatasetType | undefined,
    schemaOf: (name: string) => string | undefined,
): Promise<S3Input> {
    const listing = await listS3(uri);
    if (listing.objects.length === 0) throw new S3InputError(noDataMessage(listing));
    const files = listing.objects.map(object => {
        const datasetType =
            given(object.uri) ?? given(listing.uri) ?? datasetTypeFromFileName(object.key) ?? datasetTypeFromFolder(object.key);
        if (!datasetType)
            throw new S3InputError(
                `cannot tell the dataset type of ${object.uri}: put it in a folder named after its dataset (…/interactions/), ` +
                    `or pass --type ${listing.uri}=interactions`,
            );
        return { path: object.uri, datasetType, schemaPath: schemaOf(object.uri) ?? schemaOf(listing.uri) };
    });
    return { uri: listing.uri, files, warnings: listing.leftovers.map(leftoverWarning) };
}
