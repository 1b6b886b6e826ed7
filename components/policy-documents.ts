import { DATA_WRITER_ACTIONS, DATA_WRITERS_SID, type Workflow } from "../policypack/stack/contract";

/**
 * The IAM documents the component attaches, as pure functions of plain values.
 *
 * They take the bucket name and partition rather than the bucket's computed ARN so that every
 * document is known during `pulumi preview`, where CrossGuard can judge it (see REFERENCE:
 * unknown values make a policy report "can't run during preview" instead of judging).
 */

export const PERSONALIZE_SERVICE_PRINCIPAL = "personalize.amazonaws.com";

/** Both documents carry the guide's policy Id, so users can find them by the name the guide uses. */
export const ACCESS_POLICY_ID = "PersonalizeS3BucketAccessPolicy";

export interface PolicyStatement {
    Sid: string;
    Effect: "Allow" | "Deny";
    Principal?: "*" | { Service: string } | { AWS: string | string[] };
    Action: string | string[];
    /** Absent only in trust policies, where IAM forbids it. */
    Resource?: string | string[];
    Condition?: Record<string, Record<string, string | string[]>>;
}

export interface PolicyDocument {
    Version: "2012-10-17";
    Id?: string;
    Statement: Array<PolicyStatement | Record<string, unknown>>;
}

/**
 * Where Personalize reads and writes, as the component lays it out, and who else may write the data: the roles of
 * `dataWriters`, under the import folder `keyPrefix` (without its trailing "/").
 */
export type BucketAccess = { partition: string; bucketName: string; dataWriters?: { roleArns: string[]; keyPrefix: string } } & (
    | { workflow: "import" }
    /** batchOutputPrefix: key prefix of batch job output, without a trailing "/". */
    | { workflow: "batch"; batchOutputPrefix: string }
);

/** Statement ids, fixed so that users' extra statements can be checked against them up front. */
const SID = {
    list: "PersonalizeListBucket",
    get: "PersonalizeGetObject",
    putBatchOutput: "PersonalizePutBatchOutput",
    dataWriters: DATA_WRITERS_SID,
    denyInsecureTransport: "DenyInsecureTransport",
} as const;

/** The Sids the component writes into the bucket policy; extra statements may not reuse them. */
export function reservedBucketPolicySids(workflow: Workflow, dataWriters: boolean): string[] {
    return [
        SID.list,
        SID.get,
        ...(workflow === "batch" ? [SID.putBatchOutput] : []),
        ...(dataWriters ? [SID.dataWriters] : []),
        SID.denyInsecureTransport,
    ];
}

/**
 * The grant to the data writers in the bucket policy: what a pipeline needs to write the data (DATA_WRITER_ACTIONS:
 * the AWS SDKs and Spark's S3A upload large files in parts), on `<keyPrefix>/*` only: no reads, no deletes.
 */
function dataWritersGrant(access: BucketAccess): PolicyStatement[] {
    if (!access.dataWriters || access.dataWriters.roleArns.length === 0) return [];
    const { roleArns, keyPrefix } = access.dataWriters;
    return [
        {
            Sid: SID.dataWriters,
            Effect: "Allow",
            Principal: { AWS: roleArns.length === 1 ? roleArns[0] : roleArns },
            Action: DATA_WRITER_ACTIONS,
            Resource: `${bucketArn(access.partition, access.bucketName)}/${keyPrefix}/*`,
        },
    ];
}

/**
 * The statements a data writer's own IAM policy needs (the bucket policy grants the other half): the same S3
 * actions on the import folder, and with an SSE-KMS key, kms:GenerateDataKey to encrypt what it puts and
 * kms:Decrypt, which S3 needs to complete a multipart upload (S3 User Guide, "Multipart upload API and permissions":
 * https://docs.aws.amazon.com/AmazonS3/latest/userguide/mpuoverview.html#mpuAndPermissions).
 */
export function dataWriterStatements(partition: string, bucketName: string, keyPrefix: string, kmsKeyArn?: string): PolicyStatement[] {
    return [
        {
            Sid: "WritePersonalizeData",
            Effect: "Allow",
            Action: DATA_WRITER_ACTIONS,
            Resource: `${bucketArn(partition, bucketName)}/${keyPrefix}/*`,
        },
        ...(kmsKeyArn
            ? [
                  {
                      Sid: "EncryptPersonalizeData",
                      Effect: "Allow" as const,
                      Action: ["kms:GenerateDataKey", "kms:Decrypt"],
                      Resource: kmsKeyArn,
                  },
              ]
            : []),
    ];
}

export function bucketArn(partition: string, bucketName: string): string {
    return `arn:${partition}:s3:::${bucketName}`;
}

/**
 * What Personalize needs, one statement per action so each grant has the narrowest resource:
 * ListBucket on the bucket, GetObject on its objects, and for batch jobs PutObject only under the
 * output prefix (the guide grants PutObject on the whole bucket; least privilege keeps job output
 * from overwriting the training data).
 */
function personalizeGrants(access: BucketAccess): PolicyStatement[] {
    const bucket = bucketArn(access.partition, access.bucketName);
    const grants: PolicyStatement[] = [
        { Sid: SID.list, Effect: "Allow", Action: "s3:ListBucket", Resource: bucket },
        { Sid: SID.get, Effect: "Allow", Action: "s3:GetObject", Resource: `${bucket}/*` },
    ];
    if (access.workflow === "batch") {
        grants.push({
            Sid: SID.putBatchOutput,
            Effect: "Allow",
            Action: "s3:PutObject",
            Resource: `${bucket}/${access.batchOutputPrefix}/*`,
        });
    }
    return grants;
}

/** The identity policy of the Personalize service role. */
export function roleAccessPolicy(access: BucketAccess): PolicyDocument {
    return { Version: "2012-10-17", Id: ACCESS_POLICY_ID, Statement: personalizeGrants(access) };
}

/**
 * The bucket policy: the same grants for the service principal, a TLS-only Deny (AWS services
 * call S3 over TLS, so `aws:SecureTransport` is true for Personalize and the Deny never hits it),
 * then the caller's extra statements in their given order.
 */
export function bucketPolicy(access: BucketAccess, extraStatements: Array<Record<string, unknown>> = []): PolicyDocument {
    const bucket = bucketArn(access.partition, access.bucketName);
    const grants = personalizeGrants(access).map(s => ({
        ...s,
        Principal: { Service: PERSONALIZE_SERVICE_PRINCIPAL },
    }));
    const denyInsecureTransport: PolicyStatement = {
        Sid: SID.denyInsecureTransport,
        Effect: "Deny",
        Principal: "*",
        Action: "s3:*",
        Resource: [bucket, `${bucket}/*`],
        Condition: { Bool: { "aws:SecureTransport": "false" } },
    };
    return {
        Version: "2012-10-17",
        Id: ACCESS_POLICY_ID,
        Statement: [...grants, ...dataWritersGrant(access), denyInsecureTransport, ...extraStatements],
    };
}

/**
 * Trust policy of the service role, with the confused-deputy conditions: only Personalize acting
 * for this account, from a Personalize resource of this account and region, may assume it.
 */
export function personalizeTrustPolicy(partition: string, region: string, accountId: string): PolicyDocument {
    return {
        Version: "2012-10-17",
        Statement: [
            {
                Sid: "PersonalizeAssumeRole",
                Effect: "Allow",
                Principal: { Service: PERSONALIZE_SERVICE_PRINCIPAL },
                Action: "sts:AssumeRole",
                Condition: {
                    StringEquals: { "aws:SourceAccount": accountId },
                    StringLike: { "aws:SourceArn": `arn:${partition}:personalize:${region}:${accountId}:*` },
                },
            },
        ],
    };
}
