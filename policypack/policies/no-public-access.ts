import type { StackValidationPolicy } from "@pulumi/policy";
import type { Statement } from "../iam";
import { PACK_CONFIG_SCHEMA, packConfig } from "../stack/pack-config";
import { readStatements } from "../stack/read-document";
import { BAD_ACTIONS, classifyStatement, type PublicVerdict } from "../aws/s3-public-policy";
import { StackView, describeResource } from "../stack/view";

const BLOCK_SETTINGS = ["blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets"];

/** A grant to everyone S3 counts as public, told as: who, which bad actions, why no condition pins it, how to fix it. */
function publicStatementMessage(where: string, s: Statement, verdict: Extract<PublicVerdict, { public: true }>, bucket: string): string {
    const actions =
        verdict.badActions.length > 3
            ? `${verdict.badActions.slice(0, 3).join(", ")} and ${verdict.badActions.length - 3} more`
            : verdict.badActions.join(", ");
    const pinning =
        verdict.unpinned.length === 0
            ? "without a condition that pins who may call"
            : `and none of its conditions pins who may call (${verdict.unpinned.map(u => `${u.clause.operator} ${u.clause.key}: ${u.why}`).join("; ")})`;
    const fix = {
        "*": 'Name the principals who may call instead of "*"',
        NotPrincipal: "Replace NotPrincipal with a Principal that names who may call",
        Federated: "Name a role that the provider's users assume instead of the provider",
    }[verdict.through];
    return (
        `${where}, statement "${s.label}": it allows ${verdict.grantee} ${pinning}, and grants ${actions} (bad actions: S3 counts ${BAD_ACTIONS.join(", ")} as exposing data), ` +
        `so S3 counts the policy as public and bucket "${bucket}" is open to them. ${fix}, or pin fixed values with a condition S3 counts, ` +
        `e.g. "Condition": {"StringEquals": {"aws:PrincipalOrgID": "o-xxxxxxxxxx"}} or {"IpAddress": {"aws:SourceIp": "203.0.113.0/24"}} (no wider than /8 for IPv4, /32 for IPv6).`
    );
}

/** Personalize buckets are private: all four Block Public Access settings on, and no grant to everyone. */
export const noPublicAccess: StackValidationPolicy = {
    name: "no-public-access",
    description:
        'Personalize buckets have all four Block Public Access settings on and no statement S3 counts as public: an Allow of a bad action (s3:Get*, s3:List*, s3:Put*, s3:Delete*, ...) for everyone ("*"), an identity provider or NotPrincipal without a condition that pins fixed values.',
    enforcementLevel: "mandatory",
    severity: "critical",
    configSchema: PACK_CONFIG_SCHEMA,
    remediationSteps:
        'Declare an aws.s3.BucketPublicAccessBlock for the bucket with all four settings true, and grant named principals instead of "*", or pin the grant with a condition on fixed values of a key S3 lists (aws:PrincipalOrgID, aws:SourceVpce, aws:SourceIp no wider than /8, ...).',
    validateStack: (args, reportViolation) => {
        const view = new StackView(args.resources, packConfig(args));
        const fullyBlocked = (r: { props: Record<string, any> }) => BLOCK_SETTINGS.every(k => r.props[k] === true);
        const accountBlocked = view.accountPublicAccessBlocks().some(fullyBlocked);
        for (const bucket of view.buckets) {
            const blocks = view.publicAccessBlocks(bucket);
            if (blocks.length > 1) {
                reportViolation(
                    `Personalize bucket "${bucket.name}" has ${blocks.length} BucketPublicAccessBlock resources (${blocks.map(b => describeResource(b)).join(", ")}); ` +
                        "a bucket has one and each overwrites the other, so keep one with all four settings true.",
                    blocks[1].urn,
                );
            } else if (!accountBlocked && !blocks.some(fullyBlocked)) {
                const off = blocks.length === 0 ? BLOCK_SETTINGS : BLOCK_SETTINGS.filter(k => blocks.every(b => b.props[k] !== true));
                reportViolation(
                    `Personalize bucket "${bucket.name}" ${blocks.length === 0 ? "has no BucketPublicAccessBlock" : `has Block Public Access settings off (${blocks.map(b => describeResource(b)).join(", ")})`}: ` +
                        `set ${off.join(", ")} to true. Block Public Access does not block Personalize's service principal.`,
                    blocks[0]?.urn ?? bucket.resource?.urn,
                );
            }
            for (const source of view.bucketPolicies(bucket)) {
                for (const s of readStatements(source, "resource") ?? []) {
                    const verdict = classifyStatement(s);
                    if (verdict.public) reportViolation(publicStatementMessage(source.where, s, verdict, bucket.name), source.urn);
                }
            }
        }
    },
};
