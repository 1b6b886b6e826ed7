import type { StackValidationPolicy } from "@pulumi/policy";
import { ROLE_BUCKET_TAG } from "../contract";
import type { Statement } from "../iam";
import { PACK_CONFIG_SCHEMA, packConfig } from "../pack-config";
import { requiredAccess, serviceRoleRequest, vpcConditions, whyNotAllowed } from "../personalize-requests";
import { readStatements } from "../read-document";
import { StackView } from "../stack-view";

/**
 * Personalize also reaches the bucket through the role it assumes, so the role's identity policies
 * (inline and attached, all together as IAM combines them) must allow the same requests as the
 * bucket policy, and hold no VPC condition.
 */
export const personalizeRoleAccess: StackValidationPolicy = {
    name: "personalize-role-access",
    description: "The Personalize service role's policies allow what Personalize needs on its bucket, and test no VPC condition key.",
    enforcementLevel: "mandatory",
    severity: "high",
    configSchema: PACK_CONFIG_SCHEMA,
    remediationSteps:
        "Give the role a policy allowing s3:ListBucket on the bucket, s3:GetObject on its objects and, for batch workflows, s3:PutObject on the batch output folder, without VPC conditions.",
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
            const { sources, unreadable } = view.roleIdentityPolicies(role);
            const statements: Statement[] = [];
            // Without one of its policies the role's access can't be judged; policy-document-validity reports that policy.
            let readable = true;
            for (const source of sources) {
                const read = readStatements(source, "identity");
                if (!read) {
                    readable = false;
                    continue;
                }
                statements.push(...read);
                for (const s of read) {
                    const keys = vpcConditions(s).map(c => c.key);
                    if (keys.length > 0) {
                        reportViolation(
                            `${source.where}, statement "${s.label}": its condition tests ${keys.join(", ")}; Amazon Personalize doesn't communicate with AWS VPCs, so remove it.`,
                            source.urn,
                        );
                    }
                }
            }
            if (!readable) continue;
            const failures = requiredAccess(bucket, view.objectKeys(bucket), view.config.partition)
                .map(access => whyNotAllowed(statements, serviceRoleRequest(access), "identity"))
                .filter((why): why is string => why !== undefined);
            if (failures.length > 0) {
                const note = unreadable.length > 0 ? ` (not declared in this stack, so not read: ${unreadable.join(", ")})` : "";
                reportViolation(
                    `${subject} can't do what Personalize needs on bucket "${bucket.name}"${note}: ${failures.join("; ")}.`,
                    role.resource.urn,
                );
            }
        }
    },
};
