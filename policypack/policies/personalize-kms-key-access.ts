import type { PolicyResource, StackValidationPolicy } from "@pulumi/policy";
import { bucketKeyUses, keyAccess, keyArnOf, roleStatements, type BucketKeyUse } from "../personalize/bucket-kms-keys";
import { clock } from "../stack/clock";
import { parsePolicy } from "../iam";
import { PACK_CONFIG_SCHEMA, packConfig } from "../stack/pack-config";
import { KEY_POLICY_ACTIONS, ROLE_KMS_ACTIONS, isAwsManagedS3Key } from "../personalize/kms";
import { PERSONALIZE_PRINCIPAL, requestFailures, roleSessionPrincipal, type Judgement } from "../personalize/requests";
import { StackView, describeResource, type PersonalizeBucket } from "../stack/view";

/**
 * With SSE-KMS, Personalize can read the bucket (and write batch output) only if it may use the
 * key: the key policy must allow personalize.amazonaws.com and the service role, by name, the
 * guide's five actions, and the role's policies the four of them it lists for IAM (Personalize
 * Developer Guide, "Giving Amazon Personalize permission to use your AWS KMS key"). For a key the
 * stack declares, its key policy is evaluated as IAM does, in every request context Personalize
 * may send; a key outside the stack is left to personalize-kms-key-outside-stack, but the role's
 * side is still judged. The AWS managed aws/s3 key can't be granted to Personalize at all.
 *
 * A key policy grant to the account (`arn:...:root`) lets IAM policies allow the role, but the
 * role's IAM policy has no kms:CreateGrant, and the guide names the role in the key policy: only
 * a statement naming the role's ARN (or "*") counts as granting it. A Deny naming the account does
 * hit the role.
 *
 * The time of the check (for aws:CurrentTime and aws:EpochTime) comes from `clock`.
 */
export const personalizeKmsKeyAccess: StackValidationPolicy = {
    name: "personalize-kms-key-access",
    description:
        "A Personalize bucket encrypted with SSE-KMS uses a customer managed key whose key policy lets personalize.amazonaws.com and the service role use it, and the role's policies allow it too; never the AWS managed aws/s3 key.",
    enforcementLevel: "mandatory",
    severity: "high",
    configSchema: PACK_CONFIG_SCHEMA,
    remediationSteps: `Encrypt the bucket with a customer managed key (not aws/s3). In its key policy, allow Principal {"AWS": "<service role ARN>", "Service": "${PERSONALIZE_PRINCIPAL}"} ${KEY_POLICY_ACTIONS.join(", ")} on "*", with no condition and no Deny that matches; give the role a policy allowing ${ROLE_KMS_ACTIONS.join(", ")} on the key's ARN.`,
    validateStack: (args, reportViolation) => {
        const view = new StackView(args.resources, packConfig(args));
        for (const bucket of view.buckets) {
            const subject = `Personalize bucket "${bucket.name}" (${bucket.workflow})`;
            for (const use of bucketKeyUses(view, bucket)) {
                if (use.reference === undefined || isAwsManagedS3Key(use.reference)) {
                    const how = use.reference === undefined ? "aws:kms without a key" : use.reference;
                    reportViolation(
                        `${subject}: ${use.where} encrypts new objects with the AWS managed key aws/s3 (${how}), whose key policy can't be changed ` +
                            `to let Amazon Personalize use it, so imports fail with "Insufficient privileges for accessing data in Amazon S3". ` +
                            "Name a customer managed key whose key policy allows Personalize (the component's kmsKey: create).",
                        use.urn,
                    );
                    continue;
                }
                const keyArn = keyArnOf(view, use);
                if (keyArn === undefined) continue;
                const failures = [
                    ...(use.key ? keyPolicyFailures(view, bucket, use.key, keyArn) : []),
                    ...roleFailures(view, bucket, keyArn),
                ];
                if (failures.length > 0) {
                    reportViolation(
                        `${subject} is encrypted with KMS key ${keyText(use, keyArn)}, which Amazon Personalize can't use: ${failures.join("; ")}.`,
                        use.key?.urn ?? use.urn,
                    );
                }
            }
        }
    },
};

function keyText(use: BucketKeyUse, keyArn: string): string {
    return use.key ? `${describeResource(use.key)} (${keyArn})` : keyArn;
}

function keyPolicyFailures(view: StackView, bucket: PersonalizeBucket, key: PolicyResource, keyArn: string): string[] {
    const document: unknown = key.props.policy;
    if (document === undefined || document === "") {
        return [
            "it sets no key policy, so KMS gives it the default one, which lets the account's IAM policies grant the key but never " +
                PERSONALIZE_PRINCIPAL,
        ];
    }
    const parsed = parsePolicy(document, "resource");
    if (!parsed.ok) return [`its key policy can't be read: ${parsed.problems.join("; ")}`];
    const now = clock.now();
    const accesses = keyAccess(KEY_POLICY_ACTIONS, keyArn, bucket);
    const judgement = { statements: parsed.statements, kind: "resource" as const, identity: view.identity, now };
    const failures = requestFailures(accesses, { ...judgement, caller: "service" }, { type: "Service", id: PERSONALIZE_PRINCIPAL }).map(
        why => `the key policy for ${PERSONALIZE_PRINCIPAL}: ${why}`,
    );
    for (const role of view.personalizeRoles().filter(r => r.bucketName === bucket.name)) {
        const roleArn = view.roleArn(role);
        const asRole: Judgement = { ...judgement, caller: "role", roleArn };
        // Granted only by a statement naming the role itself; denied also by one naming its account.
        const named = requestFailures(accesses, asRole, { type: "AWS", id: roleArn ?? "" });
        const denied = requestFailures(accesses, { ...asRole, onlyDenies: true }, roleSessionPrincipal(roleArn, role, view.identity));
        failures.push(...[...new Set([...named, ...denied])].map(why => `the key policy for service role "${role.name}": ${why}`));
    }
    return failures;
}

function roleFailures(view: StackView, bucket: PersonalizeBucket, keyArn: string): string[] {
    return view
        .personalizeRoles()
        .filter(r => r.bucketName === bucket.name)
        .flatMap(role => {
            const read = roleStatements(view, role);
            // A policy that can't be read is reported by policy-document-validity.
            if (!read) return [];
            const judgement: Judgement = {
                statements: read.statements,
                kind: "identity",
                caller: "role",
                identity: view.identity,
                now: clock.now(),
                roleArn: view.roleArn(role),
            };
            const unread = read.unreadable.length > 0 ? ` (not declared in this stack, so not read: ${read.unreadable.join(", ")})` : "";
            return requestFailures(keyAccess(ROLE_KMS_ACTIONS, keyArn, bucket), judgement).map(
                why => `service role "${role.name}"'s policies${unread}: ${why}`,
            );
        });
}
