import { createHash } from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import { getCallerIdentityOutput } from "@pulumi/aws/getCallerIdentity";
import { getPartitionOutput } from "@pulumi/aws/getPartition";
import * as pulumi from "@pulumi/pulumi";
// By module path, as @pulumi/aws is imported: loads the Personalize module alone.
import * as personalize from "@pulumi/aws-native/personalize";
import { localFileDigest, type DatasetType } from "../datacheck";
import type { ListedObject } from "../datacheck/sources/s3-listing";
import { readDataFolder } from "./data-files";
import { InvalidArgumentError } from "./errors";
import { boundedName } from "./names";
import type { PersonalizeDataBucket, PersonalizeDataBucketArgs, Upload } from "./personalize-data-bucket";
import { dataFiles, resolveSettings } from "./settings";

/** The dataset group to import into: `{ name, domain? }` (CreateDatasetGroup). */
export interface DatasetGroupSetting {
    name: string;
    domain?: personalize.DatasetGroupDomain;
}

/** The import's arguments, beside the bucket's (whose `schemas` the datasets are created with). */
export interface ImportArgs {
    /** Import the data into this dataset group; unset, nothing Personalize is declared. */
    datasetGroup?: DatasetGroupSetting;
    /** How long `pulumi up` waits for an import: a duration such as "36h" or "90m". Default 36h. */
    datasetImportTimeout?: string;
    /** Part of every import job name: raised by one, it retries a failed import of unchanged data. Default 1. */
    importAttempt?: number;
}

/** The dataset types AWS::Personalize::Dataset (so @pulumi/aws-native) accepts, and their names there. */
const NATIVE_TYPES: Partial<Record<string, personalize.DatasetType>> = { interactions: "Interactions", items: "Items", users: "Users" };
const DOMAINS: personalize.DatasetGroupDomain[] = ["ECOMMERCE", "VIDEO_ON_DEMAND"];

/**
 * The handlers of AWS::Personalize::Dataset, which create the import job and wait for it, time out
 * after 2160 minutes (pulumi-aws-native aws-cloudformation-schema/aws-personalize-dataset.json):
 * `pulumi up` waiting longer would wait for nothing.
 */
export const MAX_IMPORT_TIMEOUT = "36h";
const MAX_IMPORT_SECONDS = 36 * 3600;

/** Name rules of dataset groups, schemas, datasets and import jobs (Personalize API reference). */
const NAME = /^[a-zA-Z0-9][a-zA-Z0-9_-]{0,62}$/;

/** What the import will be, checked: every problem names its config key. */
export interface ImportPlan {
    datasetGroup: DatasetGroupSetting;
    /** Go duration, as Pulumi's customTimeouts take it. */
    timeout: string;
    /** Schema file per dataset type present. */
    schemas: Partial<Record<DatasetType, string>>;
    /** importAttempt: 1 unless raised to retry. */
    attempt: number;
}

/**
 * The import, checked before any resource is declared, or undefined without `datasetGroup`. Reads
 * the data folder as the bucket component does, for the dataset type of each file.
 */
export function planImport(args: PersonalizeDataBucketArgs & ImportArgs): ImportPlan | undefined {
    if (args.datasetGroup === undefined) {
        for (const key of ["datasetImportTimeout", "importAttempt"] as const)
            if (args[key] !== undefined)
                throw new InvalidArgumentError(key, "applies to dataset imports only; set datasetGroup too, or remove it");
        return undefined;
    }
    const settings = resolveSettings(args);
    // A pipeline's datasets are all declared, whether or not it has written them yet.
    const types =
        settings.dataSource === "s3"
            ? settings.s3Datasets
            : dataFiles(settings, readDataFolder("dataDir", settings.dataDir!)).map(f => f.datasetType);
    return checkImport({ ...args, datasetGroup: args.datasetGroup, schemas: args.schemas ?? {} }, types);
}

/**
 * Checks the import arguments against the dataset types of the data files: a valid group name and
 * domain, a timeout, a schema for every type present, and only the types aws-native can import.
 */
export function checkImport(
    args: ImportArgs & { datasetGroup: DatasetGroupSetting; schemas: Partial<Record<DatasetType, string>> },
    types: readonly string[],
): ImportPlan {
    const { name, domain } = args.datasetGroup;
    if (typeof name !== "string" || !NAME.test(name)) {
        throw new InvalidArgumentError(
            "datasetGroup",
            `name ${JSON.stringify(name)} must be 1 to 63 letters, digits, "-" and "_", starting with a letter or digit`,
        );
    }
    if (domain !== undefined && !DOMAINS.includes(domain)) {
        throw new InvalidArgumentError(
            "datasetGroup",
            `domain ${JSON.stringify(domain)} is not a Personalize domain; use ${DOMAINS.join(" or ")}, or leave it out`,
        );
    }
    const extra = Object.keys(args.datasetGroup).filter(k => k !== "name" && k !== "domain");
    if (extra.length > 0) throw new InvalidArgumentError("datasetGroup", `has no setting "${extra[0]}"; it takes name and domain`);
    const timeout = args.datasetImportTimeout ?? MAX_IMPORT_TIMEOUT;
    const seconds = durationSeconds(timeout);
    if (seconds === undefined || seconds <= 0 || seconds > MAX_IMPORT_SECONDS) {
        throw new InvalidArgumentError(
            "datasetImportTimeout",
            `expects a duration such as "36h", "90m" or "2h30m", above 0 and at most ${MAX_IMPORT_TIMEOUT} ` +
                `(AWS gives up on an import after 36 hours), got ${JSON.stringify(timeout)}`,
        );
    }
    const present = [...new Set(types)];
    const unsupported = present.filter(t => NATIVE_TYPES[t] === undefined);
    if (unsupported.length > 0) throw new InvalidArgumentError("datasetGroup", unsupportedTypeProblem(unsupported, name));
    const missing = present.filter(t => args.schemas[t as DatasetType] === undefined);
    if (missing.length > 0) {
        throw new InvalidArgumentError(
            "schemas",
            `datasetGroup is set, so every dataset needs the schema it is created with; add ${missing
                .map(t => `${t}: schemas/${t}.json`)
                .join(", ")} (the Avro JSON CreateSchema takes)`,
        );
    }
    const schemas = Object.fromEntries(present.map(t => [t, args.schemas[t as DatasetType]!]));
    const attempt = args.importAttempt ?? 1;
    if (!Number.isInteger(attempt) || attempt < 1)
        throw new InvalidArgumentError(
            "importAttempt",
            `must be a whole number, 1 or more, got ${attempt}; raise it by one to retry a failed import`,
        );
    return { datasetGroup: { name, ...(domain && { domain }) }, timeout, schemas, attempt };
}

function unsupportedTypeProblem(types: string[], group: string): string {
    const cliType = (t: string) => t.replace(/(^|[_-])([a-z])/g, (_, sep: string, c: string) => `${sep ? "_" : ""}${c.toUpperCase()}`);
    const commands = types.map(
        t =>
            `aws s3 cp <your ${t} files> s3://<bucketName>/<keyPrefix>/${t}/ --recursive; ` +
            `aws personalize create-dataset --name ${group}-${t} --dataset-type ${cliType(t)} ` +
            `--dataset-group-arn "$(pulumi stack output datasetGroupArn)" --schema-arn <ARN from aws personalize create-schema>; ` +
            `aws personalize create-dataset-import-job --job-name ${t}-$(date +%Y%m%d%H%M%S) --dataset-arn <its ARN> ` +
            `--data-source dataLocation=s3://<bucketName>/<keyPrefix>/${t}/ --role-arn "$(pulumi stack output roleArn)" --import-mode FULL`,
    );
    return (
        `the data has ${types.join(", ")} files, which @pulumi/aws-native can't import: AWS::Personalize::Dataset ` +
        `takes Interactions, Items and Users only. Move those files out of dataDir and import them by hand: ${commands.join("; ")}`
    );
}

/** A Go duration ("36h", "1h30m", "90s") in seconds, or undefined if it is not one. */
function durationSeconds(text: string): number | undefined {
    const match = /^(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?$/.exec(text);
    if (!match || text === "") return undefined;
    const [, h = "0", m = "0", s = "0"] = match;
    return Number(h) * 3600 + Number(m) * 60 + Number(s);
}

/**
 * The import job name of a dataset: a hash of the dataset group's name, the schema's bytes, what identifies the data,
 * and the attempt. It changes exactly when one of those does, so changed data starts a new FULL import and unchanged
 * data none. Job names are unique in an account and region (the job's ARN is `dataset-import-job/<name>`,
 * https://docs.aws.amazon.com/personalize/latest/dg/API_CreateDatasetImportJob.html), so the group's name is part of
 * the hash (two groups importing the same data get different names), and so is the attempt: a failed job keeps its
 * name, and a retry of the same data needs another. The first attempt adds nothing, so that the names of stacks
 * that never retried stay as they were.
 *
 * `data` identifies the data, in any order: for uploaded files, the SHA-256 of each (so names and times don't
 * count); for a folder a pipeline writes, the key, size and ETag of each object S3 lists in it (no byte is read).
 */
async function jobName(group: string, type: string, data: string[], schemaFile: string, attempt: number): Promise<string> {
    const hash = createHash("sha256")
        .update(`${group}\n`)
        .update(await localFileDigest(schemaFile))
        .update([...data].sort().join(","));
    if (attempt > 1) hash.update(`\nattempt ${attempt}`);
    return `${type}-${hash.digest("hex").slice(0, 24)}`;
}

/**
 * The import job name of uploaded files: changes when the bytes of one of them change, or one is added or removed.
 * With `cacheDir` (the data check's cache), the digest of a file is kept beside its check result and read again while
 * the file is unchanged (same path, size and stat times), so a run over unchanged data reads none of it.
 */
export async function importJobName(
    group: string,
    type: string,
    files: string[],
    schemaFile: string,
    cacheDir?: string,
    attempt = 1,
): Promise<string> {
    return jobName(group, type, await Promise.all(files.map(file => localFileDigest(file, cacheDir))), schemaFile, attempt);
}

/** The import job name of a folder a pipeline writes: changes when its listing does (a key, size or ETag). */
export async function s3ImportJobName(
    group: string,
    type: string,
    listed: ListedObject[],
    schemaFile: string,
    attempt = 1,
): Promise<string> {
    return jobName(
        group,
        type,
        listed.map(o => `${o.key} ${o.size} ${o.etag}`),
        schemaFile,
        attempt,
    );
}

/** One dataset to declare: its files' folder, schema and import job name (none while the folder is empty). */
interface DatasetImport {
    type: DatasetType;
    /** The folder its files are in, relative to the bucket, ending in "/". */
    folder: string;
    schema: string;
    jobName?: string;
}

/**
 * The Personalize dataset group, a schema and a dataset per dataset type of the uploaded files,
 * each dataset with an import job of its folder, so `pulumi up` imports the data.
 *
 * A component of its own beside PersonalizeDataBucket, not part of it: the bucket stays usable
 * without Personalize resources (and without aws-native), and these resources take from it only
 * what an import needs (bucket name, service role, uploads and what they wait for).
 */
export class PersonalizeDatasets extends pulumi.ComponentResource {
    public readonly datasetGroupArn: pulumi.Output<string>;
    /** Dataset type to the ARN of its dataset. */
    public readonly datasetArns: pulumi.Output<Record<string, string>>;
    /** Dataset type to the name of its current import job. */
    public readonly importJobNames: Record<string, string>;

    /** Hashes the uploaded files (for the job names), then declares the component. */
    static async create(name: string, plan: ImportPlan, bucket: PersonalizeDataBucket, opts?: pulumi.ComponentResourceOptions) {
        const imports: DatasetImport[] = [];
        const group = plan.datasetGroup.name;
        for (const [type, schema] of Object.entries(plan.schemas) as Array<[DatasetType, string]>) {
            const s3Folder = bucket.s3Folders.find(f => f.type === type);
            if (s3Folder) {
                // An empty folder (the pipeline hasn't run yet) has nothing to import.
                const name =
                    s3Folder.objects.length > 0 ? await s3ImportJobName(group, type, s3Folder.listed, schema, plan.attempt) : undefined;
                imports.push({ type, folder: s3Folder.folder, schema, jobName: name });
            } else {
                const uploads = bucket.uploads.filter(u => u.datasetType === type);
                const name = await importJobName(
                    group,
                    type,
                    uploads.map(u => u.path),
                    schema,
                    bucket.dataCheckCacheDir,
                    plan.attempt,
                );
                imports.push({ type, folder: datasetFolder(uploads), schema, jobName: name });
            }
        }
        return new PersonalizeDatasets(name, plan, bucket, imports, opts);
    }

    private constructor(
        name: string,
        plan: ImportPlan,
        bucket: PersonalizeDataBucket,
        imports: DatasetImport[],
        opts?: pulumi.ComponentResourceOptions,
    ) {
        super("personalize-data-bucket:index:PersonalizeDatasets", name, {}, opts);
        const group = plan.datasetGroup;
        // The role's ARN from its name, which is known in preview (the role's computed `arn` is
        // not), so that the policy pack judges the import job's role during preview.
        const invokeOpts = { parent: this };
        const partition = getPartitionOutput({}, invokeOpts).partition;
        const accountId = getCallerIdentityOutput({}, invokeOpts).accountId;
        const roleArn = pulumi.interpolate`arn:${partition}:iam::${accountId}:role/${bucket.roleName}`;

        // With the bucket's KMS key, the datasets are encrypted with it too, and CreateDatasetGroup then
        // takes the service role, which must already be allowed to use the key.
        const datasetGroup = new personalize.DatasetGroup(
            `${name}-group`,
            {
                name: group.name,
                domain: group.domain,
                ...(bucket.kmsKeyArn && { kmsKeyArn: bucket.kmsKeyArn, roleArn }),
            },
            { parent: this, dependsOn: bucket.kmsKeyArn ? bucket.importDependencies : [] },
        );
        const datasetArns: Record<string, pulumi.Output<string>> = {};
        this.importJobNames = {};
        for (const dataset of imports) {
            const schema = new personalize.Schema(
                `${name}-${dataset.type}-schema`,
                {
                    name: boundedName(`${group.name}-${dataset.type}`, 63),
                    // As CreateSchema takes it: the JSON text, here without its layout.
                    schema: JSON.stringify(JSON.parse(fs.readFileSync(dataset.schema, "utf8"))),
                    domain: group.domain,
                },
                { parent: this },
            );
            const created = new personalize.Dataset(
                `${name}-${dataset.type}`,
                {
                    name: boundedName(`${group.name}-${dataset.type}`, 63),
                    datasetGroupArn: datasetGroup.datasetGroupArn,
                    datasetType: NATIVE_TYPES[dataset.type]!,
                    schemaArn: schema.schemaArn,
                    ...(dataset.jobName !== undefined && {
                        datasetImportJob: {
                            jobName: dataset.jobName,
                            dataSource: { dataLocation: pulumi.interpolate`s3://${bucket.bucketName}/${dataset.folder}` },
                            roleArn,
                        },
                    }),
                },
                {
                    parent: this,
                    // Personalize reads the objects with the role: never before both policies let it.
                    dependsOn: bucket.importDependencies,
                    customTimeouts: { create: plan.timeout, update: plan.timeout },
                },
            );
            datasetArns[dataset.type] = created.datasetArn;
            if (dataset.jobName === undefined) {
                pulumi.log.warn(
                    `the ${dataset.type} dataset is declared without an import job: its folder ${dataset.folder} holds no data yet. ` +
                        "The first pulumi up after the pipeline has written it imports it",
                    created,
                );
                continue;
            }
            this.importJobNames[dataset.type] = dataset.jobName;
            // Shown with the dataset, and so beside the error of a failed import in `pulumi up`.
            pulumi.log.info(retryHint(dataset.jobName, plan.attempt), created);
        }
        this.datasetGroupArn = datasetGroup.datasetGroupArn;
        this.datasetArns = pulumi.output(datasetArns);
        this.registerOutputs({ datasetGroupArn: this.datasetGroupArn, datasetArns: this.datasetArns, importJobNames: this.importJobNames });
    }
}

/**
 * How to retry a failed import of unchanged data: the failed job keeps its name, and an import of the same data asks
 * for the same name again (CreateDatasetImportJob refuses a name in use with ResourceAlreadyExistsException).
 */
export function retryHint(jobName: string, attempt: number): string {
    return (
        `import job ${jobName}: if it fails, read its failureReason (aws personalize describe-dataset-import-job), fix the cause, ` +
        `then retry with: pulumi config set ${pulumi.getProject()}:importAttempt ${attempt + 1} (a new job name for the same data)`
    );
}

/** The one folder a dataset's files are uploaded to. */
function datasetFolder(uploads: Upload[]): string {
    const folders = new Set(uploads.map(u => `${path.posix.dirname(u.key)}/`));
    if (folders.size !== 1) throw new Error(`the ${uploads[0]?.datasetType} files are not in one folder: ${[...folders].join(", ")}`);
    return [...folders][0];
}
