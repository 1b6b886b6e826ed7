import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { BATCH_OUTPUT_TAG, RESERVED_TAGS, ROLE_BUCKET_TAG, WORKFLOW_TAG, type Workflow } from "../policypack/contract";
import { readDataFolder, type CsvFile, type DataFolder } from "./data-files";
import { checkDataFiles, datasetTypeFromFileName, type DataFile, type DatasetType, type FileReport } from "./data-check";
import { DATASET_TYPES } from "./data-check/dataset-type";
import { DataCheckError, InvalidArgumentError } from "./errors";
import { boundedName, foldersOverlap, normalizePrefix, validateBucketName, validateRoleName } from "./names";
import {
    ACCESS_POLICY_ID,
    bucketArn,
    bucketPolicy,
    personalizeTrustPolicy,
    reservedBucketPolicySids,
    roleAccessPolicy,
    type BucketAccess,
} from "./policy-documents";

export interface PersonalizeDataBucketArgs {
    /** Folder whose `.csv` files are uploaded (not recursive). */
    dataDir: string;
    /** Folder in the bucket that holds the uploaded CSVs. Default `import`. */
    keyPrefix?: string;
    /** Also serve batch inference / batch segment jobs: adds PutObject on the batch output folder. */
    batch?: boolean;
    /** Folder for batch job input (JSON lines). Default `batch/input`. */
    batchInputPrefix?: string;
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
    /** Dataset per file name, for files not named interactions*.csv, items*.csv or users*.csv. */
    datasetTypes?: Record<string, DatasetType>;
    /** Personalize schema (the Avro JSON CreateSchema takes) per dataset; headers and values are checked against it. */
    schemas?: Partial<Record<DatasetType, string>>;
    /** Files larger than this many bytes get their header checked, not every row. Default: every file is checked in full. */
    headerOnlyAbove?: number;
    /** Folder where check results of unchanged files are kept between runs. Default: no cache. */
    dataCheckCacheDir?: string;
}

/** The arguments after defaults and validation. */
interface Settings {
    dataDir: string;
    keyPrefix: string;
    workflow: Workflow;
    batchInputPrefix: string;
    batchOutputPrefix: string;
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
}

function resolveSettings(args: PersonalizeDataBucketArgs): Settings {
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
        for (const [i, [nameA, a]] of folders.entries()) {
            for (const [nameB, b] of folders.slice(i + 1)) {
                if (foldersOverlap(a, b)) {
                    throw new InvalidArgumentError(
                        nameB,
                        `folder "${b}/" overlaps ${nameA} "${a}/"; give import data, batch input and batch output separate folders`,
                    );
                }
            }
        }
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
    checkExtraStatementSids(workflow, extraBucketPolicyStatements);
    const accepted = DATASET_TYPES.join(", ");
    for (const [file, type] of Object.entries(args.datasetTypes ?? {})) {
        if (!DATASET_TYPES.includes(type))
            throw new InvalidArgumentError("datasetTypes", `"${file}" is set to "${type}"; use one of ${accepted}`);
    }
    for (const type of Object.keys(args.schemas ?? {})) {
        if (!DATASET_TYPES.includes(type as DatasetType))
            throw new InvalidArgumentError("schemas", `"${type}" is not a dataset; use one of ${accepted}`);
    }
    if (args.headerOnlyAbove !== undefined && !(Number.isInteger(args.headerOnlyAbove) && args.headerOnlyAbove > 0)) {
        throw new InvalidArgumentError("headerOnlyAbove", `must be a size in bytes above 0, got ${args.headerOnlyAbove}`);
    }
    return {
        dataDir: args.dataDir,
        keyPrefix,
        workflow,
        batchInputPrefix,
        batchOutputPrefix,
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
    };
}

function checkSummary(file: FileReport): string {
    if (file.headerOnly)
        return `checked the header of ${file.path} (${file.datasetType}): it is over headerOnlyAbove, so its rows were not checked`;
    const who = file.datasetType === "interactions" ? ` from ${file.users} users on ${file.items} items` : "";
    return `checked ${file.path}: ${file.rows} ${file.datasetType} records${who}${file.cached ? " (unchanged since its last check)" : ""}`;
}

/** The dataset of every CSV: from `datasetTypes`, else from its name. */
function dataFiles(settings: Settings, folder: DataFolder): DataFile[] {
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
                `can't tell which dataset "${file.fileName}" is for: name it interactions*.csv, items*.csv or users*.csv, ` +
                    `or set datasetTypes["${file.fileName}"] to interactions, items or users`,
            );
        }
        return { path: file.path, datasetType, schemaPath: settings.schemas[datasetType] };
    });
}

function checkExtraStatementSids(workflow: Workflow, statements: Array<Record<string, unknown>>): void {
    const taken = new Set(reservedBucketPolicySids(workflow));
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
    /** File name to the `s3://` URI of its uploaded object. */
    public readonly objectUris: pulumi.Output<Record<string, string>>;
    /** `s3://bucket/<batchInputPrefix>/`, for batch stacks only. */
    public readonly batchInputLocation: pulumi.Output<string> | undefined;
    /** `s3://bucket/<batchOutputPrefix>/`, for batch stacks only. */
    public readonly batchOutputLocation: pulumi.Output<string> | undefined;

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
        const data = readDataFolder("dataDir", settings.dataDir);
        const report = await checkDataFiles(dataFiles(settings, data), {
            headerOnlyAboveBytes: settings.headerOnlyAbove,
            cacheDir: settings.dataCheckCacheDir,
        });
        if (!report.ok) throw new DataCheckError(report);
        for (const file of report.files) pulumi.log.info(checkSummary(file));
        return new PersonalizeDataBucket(name, settings, data, opts);
    }

    private constructor(name: string, settings: Settings, data: DataFolder, opts?: pulumi.ComponentResourceOptions) {
        super("personalize-data-bucket:index:PersonalizeDataBucket", name, {}, opts);

        for (const file of data.ignored) {
            pulumi.log.warn(`ignoring "${file}": only .csv files directly in dataDir are uploaded`, this);
        }

        const invokeOpts = { parent: this };
        const partition = aws.getPartitionOutput({}, invokeOpts).partition;
        const accountId = aws.getCallerIdentityOutput({}, invokeOpts).accountId;
        const region = aws.getRegionOutput({}, invokeOpts).region;
        const stack = pulumi.getStack();

        const bucketName: pulumi.Output<string> = settings.bucketName
            ? pulumi.output(settings.bucketName)
            : pulumi.interpolate`${name}-${stack}-${accountId}-${region}`.apply(base => boundedName(base, 63));
        const roleName: pulumi.Output<string> = settings.roleName
            ? pulumi.output(settings.roleName)
            : bucketName.apply(bucket => boundedName(`${bucket}-personalize`, 64));
        const access: pulumi.Output<BucketAccess> = pulumi
            .all([partition, bucketName])
            .apply(([p, b]): BucketAccess =>
                settings.workflow === "batch"
                    ? { partition: p, bucketName: b, workflow: "batch", batchOutputPrefix: settings.batchOutputPrefix }
                    : { partition: p, bucketName: b, workflow: "import" },
            );

        const bucketTags: Record<string, string> = { ...settings.tags, [WORKFLOW_TAG]: settings.workflow };
        if (settings.workflow === "batch") bucketTags[BATCH_OUTPUT_TAG] = `${settings.batchOutputPrefix}/`;

        const bucket = new aws.s3.Bucket(
            name,
            { bucket: bucketName, forceDestroy: settings.forceDestroy, tags: bucketTags },
            { parent: this, protect: settings.protect, retainOnDelete: settings.retainOnDelete },
        );
        // Sub-resources name the bucket by its known name and depend on it explicitly, instead of
        // taking `bucket.id`, so that the pack can tie them to the bucket during preview.
        const onBucket = { parent: this, dependsOn: [bucket] };
        const publicAccessBlock = new aws.s3.BucketPublicAccessBlock(
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
        new aws.s3.BucketOwnershipControls(
            `${name}-ownership`,
            { bucket: bucketName, rule: { objectOwnership: "BucketOwnerEnforced" } },
            onBucket,
        );
        const encryption = new aws.s3.BucketServerSideEncryptionConfiguration(
            `${name}-encryption`,
            { bucket: bucketName, rules: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "AES256" } }] },
            onBucket,
        );
        const versioning = new aws.s3.BucketVersioning(
            `${name}-versioning`,
            { bucket: bucketName, versioningConfiguration: { status: "Enabled" } },
            onBucket,
        );
        // Versioning keeps every replaced upload; expire old versions so re-uploads don't pile up cost.
        new aws.s3.BucketLifecycleConfiguration(
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
        for (const file of data.csvFiles) {
            objectUris[file.fileName] = this.uploadCsv(name, file, settings.keyPrefix, bucketName, [bucket, encryption, versioning]);
        }

        const role = new aws.iam.Role(
            `${name}-role`,
            {
                name: roleName,
                description:
                    "Lets Amazon Personalize read its data bucket" + (settings.workflow === "batch" ? " and write batch output" : ""),
                assumeRolePolicy: pulumi
                    .all([partition, region, accountId])
                    .apply(([p, r, a]) => JSON.stringify(personalizeTrustPolicy(p, r, a))),
                tags: { ...settings.tags, [WORKFLOW_TAG]: settings.workflow, [ROLE_BUCKET_TAG]: bucketName },
            },
            { parent: this },
        );
        // An inline policy, not a managed one: RolePolicy names its role by name, known in preview,
        // while an attachment names a managed policy by its ARN, which AWS computes. It also lives
        // and dies with the role, so no account-wide policy name can collide or be left behind.
        new aws.iam.RolePolicy(
            `${name}-s3-access`,
            { name: ACCESS_POLICY_ID, role: roleName, policy: access.apply(a => JSON.stringify(roleAccessPolicy(a))) },
            { parent: this, dependsOn: [role] },
        );
        new aws.s3.BucketPolicy(
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
        this.objectUris = pulumi.output(objectUris);
        this.batchInputLocation = settings.workflow === "batch" ? location(settings.batchInputPrefix) : undefined;
        this.batchOutputLocation = settings.workflow === "batch" ? location(settings.batchOutputPrefix) : undefined;
        this.registerOutputs({
            bucketName: this.bucketName,
            bucketArn: this.bucketArn,
            roleName: this.roleName,
            roleArn: this.roleArn,
            dataLocation: this.dataLocation,
            objectUris: this.objectUris,
            batchInputLocation: this.batchInputLocation,
            batchOutputLocation: this.batchOutputLocation,
        });
    }

    /** One object per file, named after the file alone so adding or removing others renames nothing. */
    private uploadCsv(
        name: string,
        file: CsvFile,
        keyPrefix: string,
        bucketName: pulumi.Output<string>,
        dependsOn: pulumi.Resource[],
    ): pulumi.Output<string> {
        const key = `${keyPrefix}/${file.fileName}`;
        new aws.s3.BucketObject(
            `${name}-${file.fileName}`,
            { bucket: bucketName, key, source: new pulumi.asset.FileAsset(file.path), contentType: "text/csv" },
            { parent: this, dependsOn },
        );
        return pulumi.interpolate`s3://${bucketName}/${key}`;
    }
}
