import * as iam from "@pulumi/aws/iam";
import * as kms from "@pulumi/aws/kms";
import * as pulumi from "@pulumi/pulumi";
import { ROLE_KMS_ACTIONS, isAwsManagedS3Key, personalizeKeyStatement } from "../policypack/personalize/kms";
import { InvalidArgumentError } from "./errors";
import type { PolicyDocument } from "./policy-documents";

/**
 * The bucket's KMS key (the `kmsKey` setting): a key the component creates, or an existing key
 * given by its ARN. Its key policy and the role's side of the grant, as pure functions, and the
 * resources that carry them.
 */
export type KmsKeySetting = { kind: "create" } | { kind: "existing"; arn: string };

const KEY_ARN =
    /^arn:(aws|aws-cn|aws-us-gov):kms:[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-\d+:\d{12}:key\/(mrk-[0-9a-f]{32}|[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$/;
const KEY_ARN_FORM = "arn:<partition>:kms:<region>:<account>:key/<key id>";
export const KMS_KEY_ACCEPTS = `"create" or a KMS key ARN (${KEY_ARN_FORM})`;

/** Why a `kmsKey` value can't be used, or undefined if it can. */
export function kmsKeyProblem(value: string): string | undefined {
    if (value === "create" || KEY_ARN.test(value)) return undefined;
    if (isAwsManagedS3Key(value)) {
        return (
            `"${value}" is the AWS managed key for S3, whose key policy can't be changed to let Amazon Personalize use it; ` +
            'set "create" for a key of this stack, or the ARN of a customer managed key'
        );
    }
    // An alias can't stand for the key: IAM grants on a key name its key ARN, and S3 asks for the key ARN when AWS services use it.
    if (/^(arn:[^:]*:kms:[^:]*:[^:]*:)?alias\//.test(value)) {
        return `"${value}" names an alias; give the ARN of the key it points to (${KEY_ARN_FORM}), or "create"`;
    }
    return `expects ${KMS_KEY_ACCEPTS}, got ${JSON.stringify(value)}`;
}

export function parseKmsKey(argument: string, value: string): KmsKeySetting {
    const problem = kmsKeyProblem(value);
    if (problem) throw new InvalidArgumentError(argument, problem);
    return value === "create" ? { kind: "create" } : { kind: "existing", arn: value };
}

export const KEY_POLICY_ID = "PersonalizeDataKeyPolicy";
export const KMS_ACCESS_POLICY_ID = "PersonalizeKmsKeyAccessPolicy";

function roleArn(partition: string, accountId: string, roleName: string): string {
    return `arn:${partition}:iam::${accountId}:role/${roleName}`;
}

/**
 * The key policy of a key the component creates: the account keeps administering the key through
 * IAM (KMS Developer Guide, "Default key policy": without it the key can become unmanageable, and
 * KMS's lockout safety check refuses the policy), and Personalize and its role may use it.
 */
export function keyPolicy(partition: string, accountId: string, role: string): PolicyDocument {
    return {
        Version: "2012-10-17",
        Id: KEY_POLICY_ID,
        Statement: [
            {
                Sid: "AccountAdministersKey",
                Effect: "Allow",
                Principal: { AWS: `arn:${partition}:iam::${accountId}:root` },
                Action: "kms:*",
                Resource: "*",
            },
            personalizeKeyStatement(role),
        ],
    };
}

/** The role's side: the guide's IAM policy actions, on this key only. */
export function roleKmsPolicy(keyArn: string): PolicyDocument {
    return {
        Version: "2012-10-17",
        Id: KMS_ACCESS_POLICY_ID,
        Statement: [{ Sid: "PersonalizeUseKey", Effect: "Allow", Action: [...ROLE_KMS_ACTIONS], Resource: keyArn }],
    };
}

/** KMS alias names take letters, digits, "/", "_" and "-" (CreateAlias); bucket names may have dots. */
export function keyAliasName(bucketName: string): string {
    return `alias/${bucketName.replace(/\./g, "-")}`;
}

export interface DataKey {
    arn: pulumi.Output<string>;
    /** The role's grant on the key: what a use of the key through the role must wait for. */
    rolePolicy: iam.RolePolicy;
}

export interface DataKeyContext {
    parent: pulumi.Resource;
    partition: pulumi.Output<string>;
    accountId: pulumi.Output<string>;
    bucketName: pulumi.Output<string>;
    roleName: pulumi.Output<string>;
    role: iam.Role;
    tags: Record<string, string>;
    protect: boolean;
    retainOnDelete: boolean;
}

/**
 * The key the bucket is encrypted with, and the role's grant on it.
 *
 * A created key's policy is built from the partition, account and role name, so it is known
 * during preview; it names the role, which KMS refuses unless the role exists, hence the
 * dependency. It follows the bucket's protect and retainOnDelete: data outliving its key can't be
 * read. An existing key's policy can't be changed here, so the statement its owner must add is
 * logged, ready to paste.
 */
export function declareDataKey(name: string, setting: KmsKeySetting, ctx: DataKeyContext): DataKey {
    const { parent, partition, accountId } = ctx;
    const serviceRoleArn = pulumi.all([partition, accountId, ctx.roleName]).apply(([p, a, r]) => roleArn(p, a, r));
    let keyArn: pulumi.Output<string>;
    if (setting.kind === "create") {
        const lifecycle = { parent, protect: ctx.protect, retainOnDelete: ctx.retainOnDelete };
        const key = new kms.Key(
            `${name}-key`,
            {
                description: pulumi.interpolate`Encrypts the Amazon Personalize data bucket ${ctx.bucketName}`,
                keyUsage: "ENCRYPT_DECRYPT",
                customerMasterKeySpec: "SYMMETRIC_DEFAULT",
                enableKeyRotation: true,
                deletionWindowInDays: 30,
                policy: pulumi.all([partition, accountId, serviceRoleArn]).apply(([p, a, r]) => JSON.stringify(keyPolicy(p, a, r))),
                tags: ctx.tags,
            },
            { ...lifecycle, dependsOn: [ctx.role] },
        );
        new kms.Alias(`${name}-key-alias`, { name: ctx.bucketName.apply(keyAliasName), targetKeyId: key.keyId }, lifecycle);
        keyArn = key.arn;
    } else {
        serviceRoleArn.apply(r =>
            pulumi.log.warn(
                `kmsKey ${setting.arn} is not managed by this stack, so its key policy can't be changed here; ` +
                    "unless its owner adds this statement to it, Amazon Personalize can't read the bucket's data:\n" +
                    JSON.stringify(personalizeKeyStatement(r), null, 2),
                parent,
            ),
        );
        keyArn = pulumi.output(setting.arn);
    }
    const rolePolicy = new iam.RolePolicy(
        `${name}-kms-access`,
        { name: KMS_ACCESS_POLICY_ID, role: ctx.roleName, policy: keyArn.apply(arn => JSON.stringify(roleKmsPolicy(arn))) },
        { parent, dependsOn: [ctx.role] },
    );
    return { arn: keyArn, rolePolicy };
}
