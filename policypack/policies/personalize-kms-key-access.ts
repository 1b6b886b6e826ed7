import type { PolicyResource, StackValidationPolicy } from "@pulumi/policy";
import { keyAccess, keyArnOf, keyText, keyUses, roleStatements, type KeyUse, type KeyUser } from "../personalize/kms-key-uses";
import { clock } from "../stack/clock";
import { parsePolicy } from "../iam";
import { PACK_CONFIG_SCHEMA, packConfig } from "../stack/pack-config";
import { KEY_POLICY_ACTIONS, ROLE_KMS_ACTIONS, isAwsManagedS3Key } from "../personalize/kms";
import { judgeKeyPolicy, type KeyPolicyVerdict } from "../personalize/key-policy";
import { PERSONALIZE_PRINCIPAL, whyNotAllowed, type Judgement } from "../personalize/requests";
import { StackView } from "../stack/view";

/**
 * Personalize can use a KMS key -- the SSE-KMS key of its bucket, the key of a dataset group --
 * only if the key policy lets personalize.amazonaws.com and the service role use it, and the role's
 * IAM policies allow it too (Personalize Developer Guide, "Giving Amazon Personalize permission to
 * use your AWS KMS key": Decrypt, GenerateDataKey, DescribeKey, CreateGrant and ListGrants in the
 * key policy, the same but CreateGrant in the role's policies;
 * https://docs.aws.amazon.com/personalize/latest/dg/granting-personalize-key-access.html). A key
 * named through an alias the stack declares is the key the alias points to. For a key the stack
 * declares, its key policy is evaluated as KMS does, in every request context Personalize may send;
 * a key outside the stack is left to personalize-kms-key-outside-stack, but the role's side is
 * still judged. The AWS managed aws/s3 key can't be granted to Personalize at all.
 *
 * How the key policy is judged for the role (its ARN, "*" under kms:CallerAccount, or the account
 * with the role's own policies) is key-policy.ts's.
 *
 * The time of the check (for aws:CurrentTime and aws:EpochTime) comes from `clock`.
 */
export const personalizeKmsKeyAccess: StackValidationPolicy = {
    name: "personalize-kms-key-access",
    description:
        "A KMS key Amazon Personalize uses (a Personalize bucket's SSE-KMS key, a dataset group's key, named directly or through a declared alias) is a customer managed key whose key policy lets personalize.amazonaws.com and the service role use it, and the role's policies allow it too; never the AWS managed aws/s3 key.",
    enforcementLevel: "mandatory",
    severity: "high",
    configSchema: PACK_CONFIG_SCHEMA,
    remediationSteps: `Use a customer managed key (not aws/s3). In its key policy, allow Principal {"AWS": "<service role ARN>", "Service": "${PERSONALIZE_PRINCIPAL}"} ${KEY_POLICY_ACTIONS.join(", ")} on "*", with no condition and no Deny that matches (or grant the account and allow kms:CreateGrant in the role's policies too); give the role a policy allowing ${ROLE_KMS_ACTIONS.join(", ")} on the key's ARN. A dataset group names the key by its ARN and sets roleArn to the service role.`,
    validateStack: (args, reportViolation) => {
        const view = new StackView(args.resources, packConfig(args));
        for (const use of keyUses(view)) {
            if (use.reference === undefined || isAwsManagedS3Key(use.reference)) {
                const how = use.reference === undefined ? "aws:kms without a key" : use.reference;
                reportViolation(
                    `${use.subject}: ${use.where} encrypts ${use.encrypts} with the AWS managed key aws/s3 (${how}), whose key policy can't be changed ` +
                        `to let Amazon Personalize use it, so ${use.consequence}. ` +
                        "Name a customer managed key whose key policy allows Personalize (the component's kmsKey: create).",
                    use.urn,
                );
                continue;
            }
            const keyArn = keyArnOf(view, use);
            const failures = [...use.problems];
            if (keyArn !== undefined) {
                const keyPolicy = use.key ? keyPolicyVerdict(view, use, use.key, keyArn) : undefined;
                failures.push(...(keyPolicy?.failures ?? []));
                for (const user of use.users)
                    failures.push(...roleFailures(view, use, user, keyArn, keyPolicy?.throughAccount.get(user) ?? []));
            }
            if (failures.length > 0) {
                reportViolation(
                    `${use.subject} is encrypted with KMS key ${keyText(use, keyArn)}, which Amazon Personalize can't use: ${failures.join("; ")}.`,
                    use.key?.urn ?? use.urn,
                );
            }
        }
    },
};

function keyPolicyVerdict(view: StackView, use: KeyUse, key: PolicyResource, keyArn: string): KeyPolicyVerdict {
    const document: unknown = key.props.policy;
    if (document === undefined || document === "") {
        const failure =
            "it sets no key policy, so KMS gives it the default one, which lets the account's IAM policies grant the key but never " +
            PERSONALIZE_PRINCIPAL;
        return { failures: [failure], throughAccount: new Map() };
    }
    const parsed = parsePolicy(document, "resource");
    if (!parsed.ok) return { failures: [`its key policy can't be read: ${parsed.problems.join("; ")}`], throughAccount: new Map() };
    // The key policy never vouches for the account it is judged against (an account root it grants, a kms:CallerAccount it pins).
    return judgeKeyPolicy(parsed.statements, keyArn, use, view.identityFor([key.urn]), clock.now());
}

/**
 * Why the role's own policies don't allow what it needs of the key: the guide's role actions, and
 * every action the key policy grants it only through the account.
 */
function roleFailures(view: StackView, use: KeyUse, user: KeyUser, keyArn: string, throughAccount: string[]): string[] {
    // A role outside the stack is left to personalize-kms-key-outside-stack.
    if (!user.role) return [];
    const read = roleStatements(view, user.role);
    // A policy that can't be read is reported by policy-document-validity.
    if (!read) return [];
    const judgement: Judgement = {
        statements: read.statements,
        kind: "identity",
        caller: "role",
        identity: view.identityFor(read.urns),
        now: clock.now(),
        roleArn: user.arn,
    };
    const unread = read.unreadable.length > 0 ? ` (not declared in this stack, so not read: ${read.unreadable.join(", ")})` : "";
    const actions = [...ROLE_KMS_ACTIONS, ...throughAccount.filter(a => !ROLE_KMS_ACTIONS.includes(a))];
    return keyAccess(actions, keyArn, use.jobs).flatMap(access => {
        const why = whyNotAllowed(access, judgement);
        if (why === undefined) return [];
        const because = ROLE_KMS_ACTIONS.includes(access.action)
            ? ""
            : " (the key policy grants it to the role only through the account, so the role's own policies must allow it)";
        return [`${user.label}'s policies${unread}: ${why}${because}`];
    });
}
