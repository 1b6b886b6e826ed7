import type { Workflow } from "../stack/contract";
import { PERSONALIZE_PRINCIPAL } from "./contexts";

/**
 * What Amazon Personalize needs of the KMS key that encrypts its bucket, after the Personalize
 * Developer Guide, "Giving Amazon Personalize permission to use your AWS KMS key"
 * (https://docs.aws.amazon.com/personalize/latest/dg/granting-personalize-key-access.html):
 * the key policy must allow both the service role and personalize.amazonaws.com Decrypt,
 * GenerateDataKey, DescribeKey, CreateGrant and ListGrants, and the role's IAM policy the same but
 * CreateGrant ("only required in key policy"). The guide's key policy example has no Condition,
 * and none is required here: a condition Personalize's requests might not meet breaks the import
 * with nothing but "Insufficient privileges".
 *
 * The component writes these lists into the key and role policies; the pack requires them.
 */
export const KEY_POLICY_ACTIONS = ["kms:Decrypt", "kms:GenerateDataKey", "kms:DescribeKey", "kms:CreateGrant", "kms:ListGrants"];

export const ROLE_KMS_ACTIONS = KEY_POLICY_ACTIONS.filter(a => a !== "kms:CreateGrant");

/** The key policy statement that lets Personalize and its service role use the key, as in the guide's example. */
export function personalizeKeyStatement(roleArn: string) {
    return {
        Sid: "PersonalizeUseKey",
        Effect: "Allow" as const,
        Principal: { AWS: roleArn, Service: PERSONALIZE_PRINCIPAL },
        Action: [...KEY_POLICY_ACTIONS],
        Resource: "*",
    };
}

/**
 * The Personalize resources whose creation uses the key (the guide's list), as they appear in an
 * aws:SourceArn: the dataset group created with the key, import jobs, and for batch buckets the
 * batch jobs that read input and write output.
 */
export function kmsJobs(workflow: Workflow): string[] {
    const common = ["dataset-group", "dataset-import-job"];
    return workflow === "batch" ? [...common, "batch-inference-job", "batch-segment-job"] : common;
}

/**
 * Whether a key reference names the AWS managed key for S3, by its alias or alias ARN. Its key
 * policy is AWS's and can't be changed, so it can never grant Personalize (the guide's grant goes
 * into the key policy). S3 default encryption with `aws:kms` and no key also uses it
 * (S3 API reference, ServerSideEncryptionByDefault).
 */
export function isAwsManagedS3Key(reference: string): boolean {
    return /^(arn:[^:]+:kms:[^:]*:\d{12}:)?alias\/aws\/s3$/.test(reference);
}

/**
 * Whether a key reference names an alias, by alias name (`alias/x`) or alias ARN. S3 default
 * encryption takes a key ID, key ARN or alias (S3 API reference, ServerSideEncryptionByDefault:
 * https://docs.aws.amazon.com/AmazonS3/latest/API/API_ServerSideEncryptionByDefault.html), and KMS
 * resolves an alias name in the requester's account and region.
 */
export function isAliasReference(reference: string): boolean {
    return /^(arn:[^:]+:kms:[^:]*:[^:]*:)?alias\//.test(reference);
}

/**
 * What a dataset group's KmsKeyArn accepts: a key ARN, never an alias or a key ID. The pattern of
 * AWS::Personalize::DatasetGroup KmsKeyArn (CloudFormation template reference,
 * https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-personalize-datasetgroup.html),
 * unanchored as JSON Schema patterns are.
 */
export const DATASET_GROUP_KEY_ARN = /arn:aws.*:kms:.*:[0-9]{12}:key\/.*/;

/** How S3 names SSE-KMS in default encryption: single-layer and dual-layer (DSSE-KMS). */
export const KMS_ALGORITHMS = ["aws:kms", "aws:kms:dsse"];
