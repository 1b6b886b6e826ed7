import type { StackValidationPolicy } from "@pulumi/policy";
import { keyArnOf, keyText, keyUses } from "../personalize/kms-key-uses";
import { PACK_CONFIG_SCHEMA, packConfig } from "../stack/pack-config";
import { ROLE_KMS_ACTIONS, isAwsManagedS3Key, personalizeKeyStatement } from "../personalize/kms";
import { StackView } from "../stack/view";

/**
 * A KMS key Personalize uses (a Personalize bucket's, a dataset group's) that the stack doesn't
 * declare: its key policy can't be read, so whether Personalize may use the key can't be verified;
 * likewise a dataset group's role the stack doesn't declare, whose policies can't be read.
 * Advisory, not mandatory: using an organisation's existing key or role is legitimate, and its
 * owner may well have granted it. The message gives what the key policy or the role needs
 * (Personalize Developer Guide, "Giving Amazon Personalize permission to use your AWS KMS key",
 * https://docs.aws.amazon.com/personalize/latest/dg/granting-personalize-key-access.html);
 * personalize-kms-key-access still judges what the stack declares.
 */
export const personalizeKmsKeyOutsideStack: StackValidationPolicy = {
    name: "personalize-kms-key-outside-stack",
    description:
        "Says when a KMS key Amazon Personalize uses (a Personalize bucket's, a dataset group's) is declared outside the stack, or is used with a role declared outside it, so the pack can't verify that Personalize may use it, and what the key policy or the role needs.",
    enforcementLevel: "advisory",
    severity: "high",
    configSchema: PACK_CONFIG_SCHEMA,
    remediationSteps:
        "Make sure the key policy of the key allows the Personalize service role and personalize.amazonaws.com kms:Decrypt, kms:GenerateDataKey, kms:DescribeKey, kms:CreateGrant and kms:ListGrants (the message gives the statement), and the role's policies the same but kms:CreateGrant; or declare the key and the role in the stack so the pack can verify them.",
    validateStack: (args, reportViolation) => {
        const view = new StackView(args.resources, packConfig(args));
        for (const use of keyUses(view)) {
            if (use.reference === undefined || isAwsManagedS3Key(use.reference)) continue;
            const keyArn = keyArnOf(view, use);
            if (!use.key) {
                const roleArns = use.users.map(u => u.arn ?? `<ARN of role ${u.role?.name}>`);
                const statement = personalizeKeyStatement(roleArns.length === 1 ? roleArns[0] : "<ARN of the Personalize service role>");
                const key = use.alias ? keyText(use, keyArn) : use.reference;
                reportViolation(
                    `${use.subject}: can't verify the key policy of ${key}: ${use.where} names a KMS key this stack doesn't declare. ` +
                        `Unless its key policy lets Amazon Personalize and its service role use the key, ${use.consequence}; ` +
                        `it needs this statement: ${JSON.stringify(statement)}`,
                    use.urn,
                );
            }
            for (const user of use.users.filter(u => !u.role)) {
                reportViolation(
                    `${use.subject}: can't verify that ${user.label} may use KMS key ${keyText(use, keyArn)}: this stack doesn't declare the role, ` +
                        `so its policies can't be read. Unless they allow ${ROLE_KMS_ACTIONS.join(", ")} on the key's ARN ` +
                        `(and kms:CreateGrant too, unless the key policy names the role), ${use.consequence}.`,
                    use.urn,
                );
            }
        }
    },
};
