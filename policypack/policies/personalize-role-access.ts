import type { StackValidationPolicy } from "@pulumi/policy";
import { ROLE_BUCKET_TAG } from "../contract";
import type { Statement } from "../iam";
import { clock } from "../clock";
import { PACK_CONFIG_SCHEMA, packConfig } from "../pack-config";
import { requestFailures, requiredAccess, vpcKeyUses, type Judgement } from "../personalize-requests";
import { readStatements } from "../read-document";
import { StackView, type PersonalizeRole } from "../stack-view";

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
                    const uses = vpcKeyUses(s);
                    if (uses.length > 0) {
                        reportViolation(
                            `${source.where}, statement "${s.label}": ${uses.map(u => u.text).join(", ")}; Amazon Personalize doesn't communicate with AWS VPCs, so remove it.`,
                            source.urn,
                        );
                    }
                }
            }
            if (!readable) continue;
            const boundary = readBoundary(view, role);
            if (boundary === "unreadable") continue;
            const judge = (judged: Statement[]): Judgement => ({
                statements: judged,
                kind: "identity",
                caller: "role",
                identity: view.identity,
                now: clock.now(),
                roleArn: view.roleArn(role),
            });
            const accesses = requiredAccess(bucket, view.objectKeys(bucket), view.identity.partition);
            const failures = [
                ...requestFailures(accesses, judge(statements)),
                ...(boundary.statements
                    ? requestFailures(accesses, judge(boundary.statements)).map(why => `its permissions boundary ${boundary.where}: ${why}`)
                    : []),
            ];
            if (failures.length > 0) {
                const notes = [
                    unreadable.length > 0 ? `not declared in this stack, so not read: ${unreadable.join(", ")}` : "",
                    boundary.assumption,
                ].filter(Boolean);
                reportViolation(
                    `${subject} can't do what Personalize needs on bucket "${bucket.name}" (${notes.join("; ")}): ${failures.join("; ")}.`,
                    role.resource.urn,
                );
            }
        }
    },
};

type Boundary = { statements?: Statement[]; where?: string; assumption: string };

function readBoundary(view: StackView, role: PersonalizeRole): Boundary | "unreadable" {
    const { arn, source } = view.permissionsBoundary(role);
    if (arn === undefined) return { assumption: "assuming the role has no permissions boundary, as the stack sets none" };
    if (!source) return { assumption: `assuming its permissions boundary ${arn}, not declared in this stack, allows these requests` };
    const statements = readStatements(source, "identity");
    return statements ? { statements, where: source.where, assumption: `within its permissions boundary ${source.where}` } : "unreadable";
}
