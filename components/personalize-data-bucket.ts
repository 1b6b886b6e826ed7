// Each module of @pulumi/aws by its own path: the package root declares every AWS service, and
// type-checking those declarations costs `tsc --noEmit` about a second (a fifth of its time).
import { getCallerIdentity, getCallerIdentityOutput } from "@pulumi/aws/getCallerIdentity";
import { getPartition, getPartitionOutput } from "@pulumi/aws/getPartition";
import { getRegion, getRegionOutput } from "@pulumi/aws/getRegion";
import * as iam from "@pulumi/aws/iam";
import * as s3 from "@pulumi/aws/s3";
import * as pulumi from "@pulumi/pulumi";
import { ACCOUNT_TAG, BATCH_OUTPUT_TAG, DATA_PREFIX_TAG, REGION_TAG, ROLE_BUCKET_TAG, WORKFLOW_TAG } from "../policypack/stack/contract";
import { checkBatchInputFiles, checkDataFiles, formatReport, plural, type DatasetType, type FileReport } from "../datacheck";
import { readBatchInputFolder, readDataFolder, type BatchInputFolder, type DataFolder } from "./data-files";
import { DataCheckError, InvalidArgumentError } from "./errors";
import { declareDataKey } from "./kms-key";
import { boundedName } from "./names";
import {
    ACCESS_POLICY_ID,
    bucketArn,
    bucketPolicy,
    dataWriterStatements,
    personalizeTrustPolicy,
    roleAccessPolicy,
    type BucketAccess,
    type PolicyDocument,
} from "./policy-documents";
import { withEnvironment } from "./provider-environment";
import { readS3Data, type S3Data, type S3DatasetFolder } from "./s3-data";
import { dataFiles, resolveSettings, type Settings } from "./settings";

export interface PersonalizeDataBucketArgs {
    /** Where the data comes from: "local" (default), the CSV files of dataDir, uploaded; "s3", a pipeline writes it into the bucket. */
    dataSource?: "local" | "s3";
    /** Folder whose `.csv` files are uploaded (not recursive); dataSource "local" only, where it is required. */
    dataDir?: string;
    /** dataSource "s3": the datasets the pipeline writes, each into `<keyPrefix>/<type>/`. */
    s3Datasets?: DatasetType[];
    /** dataSource "s3": IAM role ARNs the bucket policy lets put objects under `<keyPrefix>/` (and nothing else). */
    dataWriters?: string[];
    /** dataSource "s3": environment variables under which the data folders are read (the aws provider's settings). */
    s3Environment?: Record<string, string | undefined>;
    /** Folder in the bucket that holds the uploaded CSVs. Default `import`. */
    keyPrefix?: string;
    /** Also serve batch inference / batch segment jobs: adds PutObject on the batch output folder. */
    batch?: boolean;
    /** Folder for batch job input (JSON lines). Default `batch/input`. */
    batchInputPrefix?: string;
    /** Folder whose `.json`/`.jsonl` batch input files are checked and uploaded under `batchInputPrefix` (batch only). */
    batchInputDir?: string;
    /** Folder batch jobs write to. Default `batch/output`. */
    batchOutputPrefix?: string;
    /** Default `<name>-<stack>-<account>-<region>`, cut to 63 characters. */
    bucketName?: string;
    /** Default `<bucket name>-personalize`, cut to 64 characters. */
    roleName?: string;
    /** Let `pulumi destroy` delete a bucket that still holds objects. Default false. */
    forceDestroy?: boolean;
    /** Refuse to delete the bucket in any update (Pulumi `protect`). Default false. */
    protect?: boolean;
    /** Leave the bucket in AWS when it leaves the stack (Pulumi `retainOnDelete`). Default false. */
    retainOnDelete?: boolean;
    /** Days to keep replaced or deleted object versions. Default 90. */
    noncurrentVersionDays?: number;
    /** Tags for the bucket and the role. */
    tags?: Record<string, string>;
    /** Statements appended to the bucket policy, e.g. an organisation's mandatory denies. */
    extraBucketPolicyStatements?: Array<Record<string, unknown>>;
    /** Dataset per file name, for files whose name doesn't say it (interactions*.csv, actions*.csv, …). */
    datasetTypes?: Record<string, DatasetType>;
    /** Personalize schema (the Avro JSON CreateSchema takes) per dataset; headers and values are checked against it. */
    schemas?: Partial<Record<DatasetType, string>>;
    /** Files larger than this many bytes get their header checked, not every row. Default: every file is checked in full. */
    headerOnlyAbove?: number;
    /** Folder where check results of unchanged files are kept between runs. Default: no cache. */
    dataCheckCacheDir?: string;
    /** SSE-KMS with a customer managed key: "create" one, or an existing key's ARN. Default: SSE-S3. */
    kmsKey?: string;
    /** Upload each CSV to `<keyPrefix>/<dataset type>/<file>`, so that a dataset import reads one folder. Default false. */
    folderPerDatasetType?: boolean;
}

/** An uploaded CSV: its file, dataset and object key. */
export interface Upload {
    fileName: string;
    path: string;
    datasetType: DatasetType;
    key: string;
}

/** The data as found before anything is declared: the files to upload, or the folders a pipeline writes. */
type CheckedData = { source: "local"; folder: DataFolder; uploads: Upload[] } | { source: "s3"; data: S3Data };

/** `<name>-<stack>-<account>-<region>`, cut to S3's 63 characters. */
const defaultBucketName = (name: string, account: string, region: string) =>
    boundedName(`${name}-${pulumi.getStack()}-${account}-${region}`, 63);

function checkSummary(file: FileReport): string {
    if (file.headerOnly)
        return `checked the header of ${file.path} (${file.datasetType}): it is over headerOnlyAbove, so its rows were not checked`;
    const who = file.datasetType === "interactions" ? ` from ${plural(file.users, "user")} on ${plural(file.items, "item")}` : "";
    return `checked ${file.path}: ${plural(file.rows, `${file.datasetType} record`)}${who}${file.cached ? " (unchanged since its last check)" : ""}`;
}

/** The CSV files of dataDir, checked, and where each is uploaded. */
async function checkLocalData(settings: Settings, args: PersonalizeDataBucketArgs): Promise<CheckedData> {
    const folder = readDataFolder("dataDir", settings.dataDir!);
    const files = dataFiles(settings, folder);
    const report = await checkDataFiles(files, {
        headerOnlyAboveBytes: settings.headerOnlyAbove,
        cacheDir: settings.dataCheckCacheDir,
    });
    if (!report.ok) throw new DataCheckError(report);
    for (const file of report.files) pulumi.log.info(checkSummary(file));
    // dataFiles keeps the folder's order: files[i] is the dataset of csvFiles[i].
    const uploads = folder.csvFiles.map((file, i): Upload => {
        const prefix = args.folderPerDatasetType ? `${settings.keyPrefix}/${files[i].datasetType}` : settings.keyPrefix;
        return { fileName: file.fileName, path: file.path, datasetType: files[i].datasetType, key: `${prefix}/${file.fileName}` };
    });
    return { source: "local", folder, uploads };
}

/**
 * An S3 bucket that Amazon Personalize can import from (and, for batch workflows, write to), the
 * CSV files uploaded into it, the Personalize service role and both sides of the access grant.
 *
 * Every document and every `bucket` reference is built from the bucket name and partition, which
 * are known during preview, so policy packs judge them in `pulumi preview`.
 */
export class PersonalizeDataBucket extends pulumi.ComponentResource {
    public readonly bucketName: pulumi.Output<string>;
    public readonly bucketArn: pulumi.Output<string>;
    public readonly roleName: pulumi.Output<string>;
    public readonly roleArn: pulumi.Output<string>;
    /** `s3://bucket/<keyPrefix>/`, the data location of a dataset import job. */
    public readonly dataLocation: pulumi.Output<string>;
    /** File name to the `s3://` URI of its uploaded object (dataSource "local"). */
    public readonly objectUris: pulumi.Output<Record<string, string>> | undefined;
    /** Dataset to its folder `s3://bucket/<keyPrefix>/<type>/`, where the pipeline writes it (dataSource "s3"). */
    public readonly datasetLocations: pulumi.Output<Record<string, string>> | undefined;
    /** The IAM policy a pipeline's role needs to write the data (dataSource "s3"); the bucket policy grants dataWriters the rest. */
    public readonly dataWriterPolicy: pulumi.Output<PolicyDocument> | undefined;
    /** Batch input file name to the `s3://` URI of its uploaded object, for batch stacks with `batchInputDir`. */
    public readonly batchInputUris: pulumi.Output<Record<string, string>> | undefined;
    /** `s3://bucket/<batchInputPrefix>/`, for batch stacks only. */
    public readonly batchInputLocation: pulumi.Output<string> | undefined;
    /** `s3://bucket/<batchOutputPrefix>/`, for batch stacks only. */
    public readonly batchOutputLocation: pulumi.Output<string> | undefined;
    /** The key that encrypts the bucket, with kmsKey only (`create-dataset-group --kms-key-arn`). */
    public readonly kmsKeyArn: pulumi.Output<string> | undefined;
    /** Uploads name the bucket's key too (SSE-KMS with a Bucket Key), as its default encryption does; empty without one. */
    private readonly objectEncryption: Partial<s3.BucketObjectArgs>;
    /** Every CSV uploaded, with its dataset and key (dataSource "local"). */
    public readonly uploads: Upload[];
    /** Every dataset folder as listed, with its objects (dataSource "s3"). */
    public readonly s3Folders: S3DatasetFolder[];
    /** What a dataset import must wait for: the objects, the bucket policy and the role policy. */
    public readonly importDependencies: pulumi.Resource[];
    /** Where the data check keeps what it learnt of unchanged files (also the digests of their bytes), if anywhere. */
    public readonly dataCheckCacheDir: string | undefined;

    /**
     * Validates the arguments and checks every CSV against Personalize's format, then declares the
     * component. Everything that can be wrong with the input fails here, before a resource exists.
     */
    static async create(
        name: string,
        args: PersonalizeDataBucketArgs,
        opts?: pulumi.ComponentResourceOptions,
    ): Promise<PersonalizeDataBucket> {
        const settings = resolveSettings(args);
        const checked = settings.dataSource === "local" ? await checkLocalData(settings, args) : undefined;
        let s3Data: CheckedData | undefined;
        if (settings.dataSource === "s3") {
            // The data is read where it lives, in the bucket: its name must be known now, and is without bucketName
            // from the account and region the aws provider works in.
            if (settings.bucketName === undefined || settings.dataWriters.length > 0) {
                const [{ accountId }, { region }, { partition }] = await Promise.all([
                    getCallerIdentity({}),
                    getRegion({}),
                    getPartition({}),
                ]);
                settings.bucketName ??= defaultBucketName(name, accountId, region);
                const foreign = settings.dataWriters.find(arn => !arn.startsWith(`arn:${partition}:`));
                if (foreign)
                    throw new InvalidArgumentError(
                        "dataWriters",
                        `"${foreign}" is not in partition ${partition}, which this stack deploys to; name roles of ${partition}`,
                    );
            }
            const bucketName = settings.bucketName;
            const data = await withEnvironment(args.s3Environment ?? {}, () =>
                readS3Data(bucketName, settings, settings.dataCheckCacheDir),
            );
            if (!data.report.ok)
                throw new DataCheckError(
                    data.report,
                    "the objects in S3 fail Personalize's format checks; fix them before they are imported",
                );
            for (const file of data.report.files) pulumi.log.info(checkSummary(file));
            s3Data = { source: "s3", data };
        }
        const batchInput = settings.batchInputDir === undefined ? undefined : readBatchInputFolder("batchInputDir", settings.batchInputDir);
        if (batchInput) {
            const checked = await checkBatchInputFiles(batchInput.files.map(f => f.path));
            if (!checked.ok) {
                const lines = formatReport(checked).join("\n");
                throw new InvalidArgumentError(
                    "batchInputDir",
                    `the batch input files fail Personalize's input format; fix them before they are uploaded:\n${lines}`,
                );
            }
        }
        return new PersonalizeDataBucket(name, settings, (checked ?? s3Data)!, batchInput, opts);
    }

    private constructor(
        name: string,
        settings: Settings,
        data: CheckedData,
        batchInput: BatchInputFolder | undefined,
        opts?: pulumi.ComponentResourceOptions,
    ) {
        super("personalize-data-bucket:index:PersonalizeDataBucket", name, {}, opts);

        // A batch input folder inside the data folder is uploaded on its own, not ignored.
        for (const file of data.source === "local" ? data.folder.ignored.filter(f => f !== settings.batchInputDir) : []) {
            pulumi.log.warn(`ignoring "${file}": only .csv files directly in dataDir are uploaded`, this);
        }
        for (const warning of data.source === "s3" ? data.data.warnings : []) pulumi.log.warn(warning, this);
        for (const file of batchInput?.ignored ?? []) {
            pulumi.log.warn(`ignoring "${file}": only .json and .jsonl files directly in batchInputDir are uploaded`, this);
        }

        const invokeOpts = { parent: this };
        const partition = getPartitionOutput({}, invokeOpts).partition;
        const accountId = getCallerIdentityOutput({}, invokeOpts).accountId;
        const region = getRegionOutput({}, invokeOpts).region;

        const bucketName: pulumi.Output<string> = settings.bucketName
            ? pulumi.output(settings.bucketName)
            : pulumi.all([accountId, region]).apply(([account, r]) => defaultBucketName(name, account, r));
        const roleName: pulumi.Output<string> = settings.roleName
            ? pulumi.output(settings.roleName)
            : bucketName.apply(bucket => boundedName(`${bucket}-personalize`, 64));
        const access: pulumi.Output<BucketAccess> = pulumi.all([partition, bucketName]).apply(([p, b]): BucketAccess => {
            const writers =
                settings.dataWriters.length > 0 ? { dataWriters: { roleArns: settings.dataWriters, keyPrefix: settings.keyPrefix } } : {};
            return settings.workflow === "batch"
                ? { partition: p, bucketName: b, workflow: "batch", batchOutputPrefix: settings.batchOutputPrefix, ...writers }
                : { partition: p, bucketName: b, workflow: "import", ...writers };
        });

        // The data prefix tag lets the policy pack judge the folder Personalize reads even where it can't see the objects.
        const bucketTags: Record<string, string> = {
            ...settings.tags,
            [WORKFLOW_TAG]: settings.workflow,
            [DATA_PREFIX_TAG]: `${settings.keyPrefix}/`,
        };
        if (settings.workflow === "batch") bucketTags[BATCH_OUTPUT_TAG] = `${settings.batchOutputPrefix}/`;

        // Before the key, whose policy names it.
        const role = new iam.Role(
            `${name}-role`,
            {
                name: roleName,
                description:
                    "Lets Amazon Personalize read its data bucket" + (settings.workflow === "batch" ? " and write batch output" : ""),
                assumeRolePolicy: pulumi
                    .all([partition, region, accountId])
                    .apply(([p, r, a]) => JSON.stringify(personalizeTrustPolicy(p, r, a))),
                // The account and region the provider reports, for the pack (policypack/stack/identity.ts); digits and
                // a region name fit IAM's tag values (https://docs.aws.amazon.com/IAM/latest/APIReference/API_Tag.html).
                tags: {
                    ...settings.tags,
                    [WORKFLOW_TAG]: settings.workflow,
                    [ROLE_BUCKET_TAG]: bucketName,
                    [ACCOUNT_TAG]: accountId,
                    [REGION_TAG]: region,
                },
            },
            { parent: this },
        );
        const dataKey =
            settings.kmsKey &&
            declareDataKey(name, settings.kmsKey, {
                parent: this,
                partition,
                accountId,
                bucketName,
                roleName,
                role,
                tags: settings.tags,
                protect: settings.protect,
                retainOnDelete: settings.retainOnDelete,
            });

        const bucket = new s3.Bucket(
            name,
            { bucket: bucketName, forceDestroy: settings.forceDestroy, tags: bucketTags },
            { parent: this, protect: settings.protect, retainOnDelete: settings.retainOnDelete },
        );
        // Sub-resources name the bucket by its known name and depend on it explicitly, instead of
        // taking `bucket.id`, so that the pack can tie them to the bucket during preview.
        const onBucket = { parent: this, dependsOn: [bucket] };
        const publicAccessBlock = new s3.BucketPublicAccessBlock(
            `${name}-public-access-block`,
            {
                bucket: bucketName,
                blockPublicAcls: true,
                blockPublicPolicy: true,
                ignorePublicAcls: true,
                restrictPublicBuckets: true,
            },
            onBucket,
        );
        new s3.BucketOwnershipControls(
            `${name}-ownership`,
            { bucket: bucketName, rule: { objectOwnership: "BucketOwnerEnforced" } },
            onBucket,
        );
        // With a KMS key, an S3 Bucket Key cuts the requests S3 makes to KMS, and their cost, by up to 99%
        // (S3 User Guide, "Reducing the cost of SSE-KMS with Amazon S3 Bucket Keys").
        const encryption = new s3.BucketServerSideEncryptionConfiguration(
            `${name}-encryption`,
            {
                bucket: bucketName,
                rules: [
                    dataKey
                        ? {
                              applyServerSideEncryptionByDefault: { sseAlgorithm: "aws:kms", kmsMasterKeyId: dataKey.arn },
                              bucketKeyEnabled: true,
                          }
                        : { applyServerSideEncryptionByDefault: { sseAlgorithm: "AES256" } },
                ],
            },
            onBucket,
        );
        const versioning = new s3.BucketVersioning(
            `${name}-versioning`,
            { bucket: bucketName, versioningConfiguration: { status: "Enabled" } },
            onBucket,
        );
        // Versioning keeps every replaced upload; expire old versions so re-uploads don't pile up cost.
        new s3.BucketLifecycleConfiguration(
            `${name}-lifecycle`,
            {
                bucket: bucketName,
                rules: [
                    {
                        id: "expire-noncurrent-versions",
                        status: "Enabled",
                        filter: { prefix: "" },
                        noncurrentVersionExpiration: { noncurrentDays: settings.noncurrentVersionDays },
                        abortIncompleteMultipartUpload: { daysAfterInitiation: 7 },
                    },
                ],
            },
            { parent: this, dependsOn: [bucket, versioning] },
        );

        const objectUris: Record<string, pulumi.Output<string>> = {};
        this.objectEncryption = dataKey ? { serverSideEncryption: "aws:kms", kmsKeyId: dataKey.arn, bucketKeyEnabled: true } : {};
        const afterBucket = [bucket, encryption, versioning];
        const uploads = data.source === "local" ? data.uploads : [];
        const objects = uploads.map(upload => {
            objectUris[upload.fileName] = pulumi.interpolate`s3://${bucketName}/${upload.key}`;
            return this.upload(name, upload, upload.key, "text/csv", bucketName, afterBucket);
        });
        const batchInputUris: Record<string, pulumi.Output<string>> = {};
        for (const file of batchInput?.files ?? []) {
            const key = `${settings.batchInputPrefix}/${file.fileName}`;
            batchInputUris[file.fileName] = pulumi.interpolate`s3://${bucketName}/${key}`;
            this.upload(name, file, key, "application/json", bucketName, afterBucket);
        }

        // An inline policy, not a managed one: RolePolicy names its role by name, known in preview,
        // while an attachment names a managed policy by its ARN, which AWS computes. It also lives
        // and dies with the role, so no account-wide policy name can collide or be left behind.
        const rolePolicy = new iam.RolePolicy(
            `${name}-s3-access`,
            { name: ACCESS_POLICY_ID, role: roleName, policy: access.apply(a => JSON.stringify(roleAccessPolicy(a))) },
            { parent: this, dependsOn: [role] },
        );
        const policy = new s3.BucketPolicy(
            `${name}-policy`,
            {
                bucket: bucketName,
                policy: access.apply(a => JSON.stringify(bucketPolicy(a, settings.extraBucketPolicyStatements))),
            },
            // After the public access block: S3 rejects concurrent changes to both (OperationAborted).
            { parent: this, dependsOn: [bucket, publicAccessBlock] },
        );

        const location = (prefix: string) => pulumi.interpolate`s3://${bucketName}/${prefix}/`;
        this.bucketName = bucket.bucket;
        this.bucketArn = pulumi.all([partition, bucketName]).apply(([p, b]) => bucketArn(p, b));
        this.roleName = roleName;
        this.roleArn = role.arn;
        this.dataLocation = location(settings.keyPrefix);
        this.objectUris = data.source === "local" ? pulumi.output(objectUris) : undefined;
        this.s3Folders = data.source === "s3" ? data.data.folders : [];
        this.datasetLocations =
            data.source === "s3" ? pulumi.output(Object.fromEntries(this.s3Folders.map(f => [f.type, f.uri]))) : undefined;
        this.dataWriterPolicy =
            data.source === "s3"
                ? pulumi.all([partition, bucketName, dataKey?.arn]).apply(([p, b, key]): PolicyDocument => ({
                      Version: "2012-10-17",
                      Statement: dataWriterStatements(p, b, settings.keyPrefix, key),
                  }))
                : undefined;
        this.batchInputUris = batchInput ? pulumi.output(batchInputUris) : undefined;
        this.batchInputLocation = settings.workflow === "batch" ? location(settings.batchInputPrefix) : undefined;
        this.batchOutputLocation = settings.workflow === "batch" ? location(settings.batchOutputPrefix) : undefined;
        this.kmsKeyArn = dataKey?.arn;
        this.uploads = uploads;
        this.dataCheckCacheDir = settings.dataCheckCacheDir;
        this.importDependencies = [...objects, policy, rolePolicy, ...(dataKey ? [dataKey.rolePolicy] : [])];
        this.registerOutputs({
            bucketName: this.bucketName,
            bucketArn: this.bucketArn,
            roleName: this.roleName,
            roleArn: this.roleArn,
            dataLocation: this.dataLocation,
            objectUris: this.objectUris,
            datasetLocations: this.datasetLocations,
            dataWriterPolicy: this.dataWriterPolicy,
            batchInputUris: this.batchInputUris,
            batchInputLocation: this.batchInputLocation,
            batchOutputLocation: this.batchOutputLocation,
            kmsKeyArn: this.kmsKeyArn,
        });
    }

    /** One object per file, named after the file alone so adding or removing others renames nothing. */
    private upload(
        name: string,
        file: { fileName: string; path: string },
        key: string,
        contentType: string,
        bucketName: pulumi.Output<string>,
        dependsOn: pulumi.Resource[],
    ): s3.BucketObject {
        return new s3.BucketObject(
            `${name}-${file.fileName}`,
            { bucket: bucketName, key, source: new pulumi.asset.FileAsset(file.path), contentType, ...this.objectEncryption },
            { parent: this, dependsOn },
        );
    }
}
