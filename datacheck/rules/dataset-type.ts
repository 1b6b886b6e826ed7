import * as path from "path";

export type DatasetType = "interactions" | "items" | "users" | "actions" | "action-interactions";

/** A CSV file to check and the dataset it will be imported into. */
export interface DataFile {
    path: string;
    datasetType: DatasetType;
    /** The Avro schema JSON (as CreateSchema takes it) the dataset uses; checked against when given. */
    schemaPath?: string;
}

export const DATASET_TYPES: readonly DatasetType[] = ["interactions", "items", "users", "actions", "action-interactions"];

/**
 * Column requirements per dataset type, from each dataset's schema requirements page and the quotas page
 * ("Amazon Personalize endpoints and quotas", https://docs.aws.amazon.com/personalize/latest/dg/limits.html).
 */
export interface DatasetColumns {
    required: readonly string[];
    /** Reserved optional columns that do not count as metadata. */
    reserved: readonly string[];
    minMetadata: number;
    maxMetadata: number;
    /** Columns in all, where the guide limits those instead of metadata columns. */
    maxColumns?: number;
}

export const DATASET_COLUMNS: Record<DatasetType, DatasetColumns> = {
    // https://docs.aws.amazon.com/personalize/latest/dg/interactions-dataset-requirements.html: USER_ID, ITEM_ID and
    // TIMESTAMP; EVENT_TYPE, EVENT_VALUE and IMPRESSION are reserved. The quotas page: "Maximum number of metadata
    // columns, excluding reserved fields, in an Item interactions dataset": 5.
    interactions: {
        required: ["USER_ID", "ITEM_ID", "TIMESTAMP"],
        reserved: ["EVENT_TYPE", "EVENT_VALUE", "IMPRESSION"],
        minMetadata: 0,
        maxMetadata: 5,
    },
    // https://docs.aws.amazon.com/personalize/latest/dg/item-dataset-requirements.html: ITEM_ID and at least one
    // metadata field. The quotas page: "Maximum number of metadata fields for an Items dataset": 100.
    items: { required: ["ITEM_ID"], reserved: [], minMetadata: 1, maxMetadata: 100 },
    // https://docs.aws.amazon.com/personalize/latest/dg/user-dataset-requirements.html: USER_ID and at least one
    // metadata field. The quotas page: "Maximum number of metadata fields for a Users dataset": 25.
    users: { required: ["USER_ID"], reserved: [], minMetadata: 1, maxMetadata: 25 },
    // https://docs.aws.amazon.com/personalize/latest/dg/action-dataset-requirements.html: ACTION_ID and at least one
    // metadata field; https://docs.aws.amazon.com/personalize/latest/dg/actions-datasets.html: at most 10 columns.
    actions: { required: ["ACTION_ID"], reserved: [], minMetadata: 1, maxMetadata: Infinity, maxColumns: 10 },
    // https://docs.aws.amazon.com/personalize/latest/dg/action-interactions-dataset-requirements.html: USER_ID,
    // ACTION_ID, TIMESTAMP and EVENT_TYPE at minimum; IMPRESSION is reserved. No metadata limit is given for it.
    "action-interactions": {
        required: ["USER_ID", "ACTION_ID", "TIMESTAMP", "EVENT_TYPE"],
        reserved: ["IMPRESSION"],
        minMetadata: 0,
        maxMetadata: Infinity,
    },
};

/** File name prefixes, most specific first: action_interactions*.csv must not be read as actions*.csv. */
const FILE_NAME_PREFIXES: ReadonlyArray<[prefix: string, type: DatasetType]> = [
    ["action_interactions", "action-interactions"],
    ["action-interactions", "action-interactions"],
    ["actions", "actions"],
    ["interactions", "interactions"],
    ["items", "items"],
    ["users", "users"],
];

/** The file names that say their dataset, as the messages that ask for one list them. */
export const DATASET_FILE_NAMES = "interactions*.csv, items*.csv, users*.csv, actions*.csv or action_interactions*.csv";

/** interactions*.csv, items*.csv, users*.csv, actions*.csv, action_interactions*.csv (or action-interactions*.csv), case-insensitive; anything else is undefined. */
export function datasetTypeFromFileName(fileName: string): DatasetType | undefined {
    const base = path.basename(fileName).toLowerCase();
    if (!base.endsWith(".csv")) return undefined;
    return FILE_NAME_PREFIXES.find(([prefix]) => base.startsWith(prefix))?.[1];
}
