import type { Workflow } from "../policypack/stack/contract";

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

/** Where Personalize reads and writes, as the component lays it out. */
export type BucketAccess = { partition: string; bucketName: string } & (
    | { workflow: "import" }
    /** batchOutputPrefix: key prefix of batch job output, without a trailing "/". */
    | { workflow: "batch"; batchOutputPrefix: string }
);

/** Statement ids, fixed so that users' extra statements can be checked against them up front. */
const SID = {
    list: "PersonalizeListBucket",
    get: "PersonalizeGetObject",
    putBatchOutput: "PersonalizePutBatchOutput",
    denyInsecureTransport: "DenyInsecureTransport",
} as const;

/** The Sids the component writes into the bucket policy; extra statements may not reuse them. */
export function reservedBucketPolicySids(workflow: Workflow): string[] {
    return [SID.list, SID.get, ...(workflow === "batch" ? [SID.putBatchOutput] : []), SID.denyInsecureTransport];
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
        Statement: [...grants, denyInsecureTransport, ...extraStatements],
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
