import * as path from "path";

export type DatasetType = "interactions" | "items" | "users";

/** A CSV file to check and the dataset it will be imported into. */
export interface DataFile {
    path: string;
    datasetType: DatasetType;
    /** The Avro schema JSON (as CreateSchema takes it) the dataset uses; checked against when given. */
    schemaPath?: string;
}

export const DATASET_TYPES: readonly DatasetType[] = ["interactions", "items", "users"];

/** Column requirements per dataset type, from the Personalize data-preparation guide. */
export interface DatasetColumns {
    required: readonly string[];
    /** Reserved optional columns that do not count as metadata. */
    reserved: readonly string[];
    minMetadata: number;
    maxMetadata: number;
}

export const DATASET_COLUMNS: Record<DatasetType, DatasetColumns> = {
    interactions: {
        required: ["USER_ID", "ITEM_ID", "TIMESTAMP"],
        reserved: ["EVENT_TYPE", "EVENT_VALUE", "IMPRESSION"],
        minMetadata: 0,
        maxMetadata: 5,
    },
    items: { required: ["ITEM_ID"], reserved: [], minMetadata: 1, maxMetadata: 50 },
    users: { required: ["USER_ID"], reserved: [], minMetadata: 1, maxMetadata: 5 },
};

/** interactions*.csv, items*.csv, users*.csv, case-insensitive; anything else is undefined. */
export function datasetTypeFromFileName(fileName: string): DatasetType | undefined {
    const base = path.basename(fileName).toLowerCase();
    if (!base.endsWith(".csv")) return undefined;
    return DATASET_TYPES.find(type => base.startsWith(type));
}
