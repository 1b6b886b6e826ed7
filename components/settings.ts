import * as fs from "node:fs";
import type { Workflow } from "../policypack/stack/contract";
import { RESERVED_TAGS } from "../policypack/stack/contract";
import { DATASET_FILE_NAMES, DATASET_TYPES, datasetTypeFromFileName, type DataFile, type DatasetType } from "../datacheck";
import type { DataFolder } from "./data-files";
import { InvalidArgumentError } from "./errors";
import { parseKmsKey, type KmsKeySetting } from "./kms-key";
import { foldersOverlap, normalizePrefix, validateBucketName, validateRoleName } from "./names";
import type { PersonalizeDataBucketArgs } from "./personalize-data-bucket";
import { reservedBucketPolicySids } from "./policy-documents";

/** Where the data Personalize imports comes from: files of dataDir, uploaded; or objects a pipeline writes into the bucket. */
export type DataSource = "local" | "s3";

/** The arguments after defaults and validation. */
export interface Settings {
    dataSource: DataSource;
    /** The local folder of the CSV files (dataSource "local" only). */
    dataDir?: string;
    /** The datasets a pipeline writes, each in `<keyPrefix>/<type>/` (dataSource "s3"). */
    s3Datasets: DatasetType[];
    /** IAM role ARNs that may write under `<keyPrefix>/` (dataSource "s3"). */
    dataWriters: string[];
    keyPrefix: string;
    workflow: Workflow;
    batchInputPrefix: string;
    batchOutputPrefix: string;
    batchInputDir?: string;
    bucketName?: string;
    roleName?: string;
    forceDestroy: boolean;
    protect: boolean;
    retainOnDelete: boolean;
    noncurrentVersionDays: number;
    tags: Record<string, string>;
    extraBucketPolicyStatements: Array<Record<string, unknown>>;
    datasetTypes: Record<string, DatasetType>;
    schemas: Partial<Record<DatasetType, string>>;
    headerOnlyAbove?: number;
    dataCheckCacheDir?: string;
    /** Unset: SSE-S3. */
    kmsKey?: KmsKeySetting;
}

/** IAM role ARNs (IAM User Guide, "IAM identifiers": arn:<partition>:iam::<account>:role/<path><name>). */
const ROLE_ARN = /^arn:(aws|aws-cn|aws-us-gov):iam::\d{12}:role\/([\w+=,.@-]+\/)*[\w+=,.@-]{1,64}$/;

/** dataSource and the settings that belong to one source only: each problem names both keys. */
function resolveDataSource(args: PersonalizeDataBucketArgs): Pick<Settings, "dataSource" | "dataDir" | "s3Datasets" | "dataWriters"> {
    const dataSource = args.dataSource ?? "local";
    if (dataSource !== "local" && dataSource !== "s3")
        throw new InvalidArgumentError(
            "dataSource",
            `must be "local" (the CSV files of dataDir) or "s3" (a pipeline writes the data), got "${dataSource}"`,
        );
    const only = (key: string, source: DataSource, why: string) =>
        new InvalidArgumentError(key, `is set, but dataSource is "${dataSource}": ${why}; remove ${key}, or set dataSource to "${source}"`);
    if (dataSource === "local") {
        if (args.s3Datasets !== undefined) throw only("s3Datasets", "s3", "it lists the datasets a pipeline writes into the bucket");
        if (args.dataWriters !== undefined) throw only("dataWriters", "s3", "pipeline roles write the data of an s3 data source only");
        if (args.dataDir === undefined) throw new InvalidArgumentError("dataDir", "is needed: the folder whose CSV files are uploaded");
        return { dataSource, dataDir: args.dataDir, s3Datasets: [], dataWriters: [] };
    }
    if (args.dataDir !== undefined)
        throw only("dataDir", "local", "a pipeline writes the data into the bucket, nothing is uploaded from a folder");
    if (args.datasetTypes !== undefined)
        throw only("datasetTypes", "local", "the dataset of an object is the folder it is in (<keyPrefix>/<dataset>/), not its name");
    const accepted = DATASET_TYPES.join(", ");
    const datasets = args.s3Datasets ?? [];
    if (datasets.length === 0)
        throw new InvalidArgumentError(
            "s3Datasets",
            `dataSource is "s3": list the datasets the pipeline writes, e.g. [interactions, items, users] (${accepted})`,
        );
    for (const [i, type] of datasets.entries()) {
        if (!DATASET_TYPES.includes(type)) throw new InvalidArgumentError("s3Datasets", `"${type}" is not a dataset; use ${accepted}`);
        if (datasets.indexOf(type) !== i) throw new InvalidArgumentError("s3Datasets", `lists "${type}" twice`);
    }
    const writers = args.dataWriters ?? [];
    for (const [i, arn] of writers.entries()) {
        if (!ROLE_ARN.test(arn))
            throw new InvalidArgumentError(
                "dataWriters",
                `"${arn}" is not an IAM role ARN; write arn:aws:iam::<account>:role/<name> (the role the pipeline runs as)`,
            );
        if (writers.indexOf(arn) !== i) throw new InvalidArgumentError("dataWriters", `lists "${arn}" twice`);
    }
    return { dataSource, s3Datasets: [...datasets], dataWriters: [...writers] };
}

/** Applies defaults and validates the arguments; every problem names the argument. */
export function resolveSettings(args: PersonalizeDataBucketArgs): Settings {
    const source = resolveDataSource(args);
    const keyPrefix = normalizePrefix("keyPrefix", args.keyPrefix ?? "import");
    const batchInputPrefix = normalizePrefix("batchInputPrefix", args.batchInputPrefix ?? "batch/input");
    const batchOutputPrefix = normalizePrefix("batchOutputPrefix", args.batchOutputPrefix ?? "batch/output");
    const workflow: Workflow = args.batch ? "batch" : "import";
    if (workflow === "batch") {
        // Output written into a folder that is also read as input (or imported) would be read back.
        const folders: Array<[string, string]> = [
            ["keyPrefix", keyPrefix],
            ["batchInputPrefix", batchInputPrefix],
            ["batchOutputPrefix", batchOutputPrefix],
        ];
        // The folder to blame is one the caller set: a default is not what they must change.
        const given = (name: string) => args[name as keyof PersonalizeDataBucketArgs] !== undefined;
        for (const [i, [nameA, a]] of folders.entries()) {
            for (const [nameB, b] of folders.slice(i + 1)) {
                if (!foldersOverlap(a, b)) continue;
                const [blamed, folder, other, otherFolder] = given(nameB) || !given(nameA) ? [nameB, b, nameA, a] : [nameA, a, nameB, b];
                throw new InvalidArgumentError(
                    blamed,
                    `folder "${folder}/" overlaps ${other} "${otherFolder}/"${given(other) ? "" : " (its default)"}; ` +
                        "give import data, batch input and batch output separate folders",
                );
            }
        }
    }
    if (args.batchInputDir !== undefined && workflow !== "batch") {
        throw new InvalidArgumentError(
            "batchInputDir",
            "is set, but batch is not true: batch input files are uploaded for batch stacks only; set batch to true or remove batchInputDir",
        );
    }
    const tags = args.tags ?? {};
    const reserved = Object.keys(tags).filter(k => RESERVED_TAGS.includes(k));
    if (reserved.length > 0) {
        throw new InvalidArgumentError("tags", `"${reserved.join('", "')}" is set by the component; remove it from tags`);
    }
    const days = args.noncurrentVersionDays ?? 90;
    if (!Number.isInteger(days) || days < 1) {
        throw new InvalidArgumentError("noncurrentVersionDays", `must be a whole number of days, 1 or more, got ${days}`);
    }
    const extraBucketPolicyStatements = args.extraBucketPolicyStatements ?? [];
    checkExtraStatementSids(reservedBucketPolicySids(workflow, source.dataWriters.length > 0), extraBucketPolicyStatements);
    const accepted = DATASET_TYPES.join(", ");
    for (const [file, type] of Object.entries(args.datasetTypes ?? {})) {
        if (!DATASET_TYPES.includes(type))
            throw new InvalidArgumentError("datasetTypes", `"${file}" is set to "${type}"; use one of ${accepted}`);
    }
    for (const [type, file] of Object.entries(args.schemas ?? {})) {
        if (!DATASET_TYPES.includes(type as DatasetType))
            throw new InvalidArgumentError("schemas", `"${type}" is not a dataset; use one of ${accepted}`);
        // Checked here, so that a wrong path is a config error rather than a failed check of every CSV of the dataset.
        if (!fs.statSync(file, { throwIfNoEntry: false })?.isFile())
            throw new InvalidArgumentError(
                "schemas",
                `"${type}": no schema file at ${file}; give the path of the dataset's schema file, relative to the project folder`,
            );
    }
    if (args.headerOnlyAbove !== undefined && !(Number.isInteger(args.headerOnlyAbove) && args.headerOnlyAbove > 0)) {
        throw new InvalidArgumentError("headerOnlyAbove", `must be a size in bytes above 0, got ${args.headerOnlyAbove}`);
    }
    return {
        ...source,
        keyPrefix,
        workflow,
        batchInputPrefix,
        batchOutputPrefix,
        batchInputDir: args.batchInputDir,
        bucketName: args.bucketName === undefined ? undefined : validateBucketName("bucketName", args.bucketName),
        roleName: args.roleName === undefined ? undefined : validateRoleName("roleName", args.roleName),
        forceDestroy: args.forceDestroy ?? false,
        protect: args.protect ?? false,
        retainOnDelete: args.retainOnDelete ?? false,
        noncurrentVersionDays: days,
        tags,
        extraBucketPolicyStatements,
        datasetTypes: args.datasetTypes ?? {},
        schemas: args.schemas ?? {},
        headerOnlyAbove: args.headerOnlyAbove,
        dataCheckCacheDir: args.dataCheckCacheDir,
        kmsKey: args.kmsKey === undefined ? undefined : parseKmsKey("kmsKey", args.kmsKey),
    };
}

/** The dataset of every CSV: from `datasetTypes`, else from its name. */
export function dataFiles(settings: Settings, folder: DataFolder): DataFile[] {
    const names = new Set(folder.csvFiles.map(f => f.fileName));
    for (const file of Object.keys(settings.datasetTypes)) {
        if (!names.has(file))
            throw new InvalidArgumentError(
                "datasetTypes",
                `names "${file}", which is not a CSV file in the data folder; remove it or fix the name`,
            );
    }
    return folder.csvFiles.map(file => {
        const datasetType = settings.datasetTypes[file.fileName] ?? datasetTypeFromFileName(file.fileName);
        if (!datasetType) {
            throw new InvalidArgumentError(
                "datasetTypes",
                `can't tell which dataset "${file.fileName}" is for: name it ${DATASET_FILE_NAMES}, ` +
                    `or set datasetTypes["${file.fileName}"] to one of ${DATASET_TYPES.join(", ")}`,
            );
        }
        return { path: file.path, datasetType, schemaPath: settings.schemas[datasetType] };
    });
}

function checkExtraStatementSids(reserved: string[], statements: Array<Record<string, unknown>>): void {
    const taken = new Set(reserved);
    statements.forEach((statement, i) => {
        const sid = statement.Sid;
        if (typeof sid !== "string") return;
        if (taken.has(sid)) {
            throw new InvalidArgumentError(
                "extraBucketPolicyStatements",
                `statement [${i}] uses Sid "${sid}", which is already in the bucket policy; give it a Sid of its own`,
            );
        }
        taken.add(sid);
    });
}
