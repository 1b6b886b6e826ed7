import type { StackValidationPolicy } from "@pulumi/policy";
import { ROLE_BUCKET_TAG } from "../stack/contract";
import { PACK_CONFIG_SCHEMA, packConfig } from "../stack/pack-config";
import { bucketScope, roleAccess } from "../personalize/proofs";
import { StackView } from "../stack/view";

/**
 * Personalize also reaches the bucket through the role it assumes, so the role's identity policies
 * (inline and attached, all together as IAM combines them) must allow the same requests as the
 * bucket policy, for every key and request context, and use no VPC key. A permissions boundary
 * caps what they grant: the request must be allowed by the boundary too (IAM User Guide, policy
 * evaluation logic). A boundary the stack doesn't declare can't be read; the message then says the
 * verdict assumes it allows the requests, as it does when the role has no boundary.
 *
 * The time of the check (for aws:CurrentTime and aws:EpochTime) comes from `clock`.
 */
export const personalizeRoleAccess: StackValidationPolicy = {
    name: "personalize-role-access",
    description:
        "The Personalize service role's policies, within its permissions boundary, allow what Personalize needs on its bucket, and use no VPC condition key.",
    enforcementLevel: "mandatory",
    severity: "high",
    configSchema: PACK_CONFIG_SCHEMA,
    remediationSteps:
        "Give the role a policy allowing s3:ListBucket on the bucket, s3:GetObject on its objects and, for batch workflows, s3:PutObject on the batch output folder, without VPC conditions; if the role has a permissions boundary, it must allow them too.",
    validateStack: (args, reportViolation) => {
        const view = new StackView(args.resources, packConfig(args));
        for (const role of view.personalizeRoles()) {
            const subject = `Personalize service role "${role.name}"`;
            const bucket = view.bucketNamed(role.bucketName);
            if (!bucket) {
                reportViolation(
                    `${subject} is tagged ${ROLE_BUCKET_TAG}=${role.bucketName}, but no Personalize bucket of that name is in the stack ` +
                        "(tagged personalize-workflow) or in the pack's buckets config; fix the tag or mark the bucket.",
                    role.resource.urn,
                );
                continue;
            }
            const access = roleAccess(view, role, bucketScope(view, bucket));
            if (!access) continue;
            for (const use of access.vpcUses) reportViolation(use.message, use.urn);
            const { failures, notes } = access;
            if (failures.length > 0) {
                reportViolation(
                    `${subject} can't do what Personalize needs on bucket "${bucket.name}" (${notes.join("; ")}): ${failures.join("; ")}.`,
                    role.resource.urn,
                );
            }
        }
    },
};
