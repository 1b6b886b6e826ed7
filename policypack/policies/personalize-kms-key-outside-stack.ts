import type { StackValidationPolicy } from "@pulumi/policy";
import { bucketKeyUses } from "../personalize/bucket-kms-keys";
import { PACK_CONFIG_SCHEMA, packConfig } from "../stack/pack-config";
import { isAwsManagedS3Key, personalizeKeyStatement } from "../personalize/kms";
import { StackView } from "../stack/view";

/**
 * A Personalize bucket encrypted with a KMS key the stack doesn't declare: its key policy can't be
 * read, so whether Personalize may use the key can't be verified. Advisory, not mandatory: using
 * an organisation's existing key is legitimate, and the key owner may well have granted it. The
 * message gives the statement the key policy needs (personalize-kms-key-access still judges the
 * role's side, which the stack declares).
 */
export const personalizeKmsKeyOutsideStack: StackValidationPolicy = {
    name: "personalize-kms-key-outside-stack",
    description:
        "Says when a Personalize bucket is encrypted with a KMS key declared outside the stack, whose key policy the pack can't verify, and what the key policy needs.",
    enforcementLevel: "advisory",
    severity: "high",
    configSchema: PACK_CONFIG_SCHEMA,
    remediationSteps:
        "Make sure the key policy of the key allows the Personalize service role and personalize.amazonaws.com kms:Decrypt, kms:GenerateDataKey, kms:DescribeKey, kms:CreateGrant and kms:ListGrants (the message gives the statement), or declare the key in the stack so the pack can verify it.",
    validateStack: (args, reportViolation) => {
        const view = new StackView(args.resources, packConfig(args));
        for (const bucket of view.buckets) {
            const roles = view.personalizeRoles().filter(r => r.bucketName === bucket.name);
            const roleArns = roles.map(r => view.roleArn(r) ?? `<ARN of role ${r.name}>`);
            for (const use of bucketKeyUses(view, bucket)) {
                if (use.key || use.reference === undefined || isAwsManagedS3Key(use.reference)) continue;
                const statement = personalizeKeyStatement(roleArns.length === 1 ? roleArns[0] : "<ARN of the Personalize service role>");
                reportViolation(
                    `Personalize bucket "${bucket.name}" (${bucket.workflow}): can't verify the key policy of ${use.reference}: ${use.where} names a KMS key ` +
                        "this stack doesn't declare. Unless its key policy lets Amazon Personalize and its service role use the key, imports fail " +
                        `with "Insufficient privileges for accessing data in Amazon S3"; it needs this statement: ${JSON.stringify(statement)}`,
                    use.urn,
                );
            }
        }
    },
};
