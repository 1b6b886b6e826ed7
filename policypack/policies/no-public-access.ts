import type { StackValidationPolicy } from "@pulumi/policy";
import type { ConditionClause, Statement } from "../iam";
import { PACK_CONFIG_SCHEMA, packConfig } from "../pack-config";
import { readStatements } from "../read-document";
import { StackView, describeResource } from "../stack-view";

const BLOCK_SETTINGS = ["blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets"];

/**
 * Condition keys that, pinned to fixed values, make a grant to "*" not public, after S3's own
 * definition ("The meaning of public", PublicAccessBlockConfiguration), plus aws:PrincipalOrgID.
 */
const PINNING_KEYS = new Set(
    [
        "aws:SourceIp",
        "aws:SourceArn",
        "aws:SourceVpc",
        "aws:SourceVpce",
        "aws:SourceOwner",
        "aws:SourceAccount",
        "aws:userid",
        "aws:PrincipalOrgID",
        "s3:x-amz-server-side-encryption-aws-kms-key-id",
    ].map(k => k.toLowerCase()),
);
const PINNING_OPERATORS = new Set(["stringequals", "stringequalsignorecase", "stringlike", "arnequals", "arnlike", "ipaddress"]);

/** A clause that holds only for fixed values: a positive operator, no IfExists or ForAllValues escape, no match-anything value. */
function pins(clause: ConditionClause): boolean {
    if (!PINNING_KEYS.has(clause.key.toLowerCase()) || !PINNING_OPERATORS.has(clause.baseOperator.toLowerCase())) return false;
    if (clause.ifExists || clause.set === "ForAllValues" || clause.values.length === 0) return false;
    // A policy variable is no fixed value: `${aws:SourceAccount}` matches every request's own account.
    const matchesAnything = (v: string) =>
        v === "*" || v === "0.0.0.0/0" || v === "::/0" || v.includes("${") || (/[*?]/.test(v) && clause.key.toLowerCase() !== "aws:userid");
    return !clause.values.some(matchesAnything);
}

function grantsEveryone(s: Statement): boolean {
    if (s.effect !== "Allow") return false;
    if (s.notPrincipal) return true;
    return s.principal === "*" || (s.principal?.AWS ?? []).includes("*");
}

/** Personalize buckets are private: all four Block Public Access settings on, and no grant to everyone. */
export const noPublicAccess: StackValidationPolicy = {
    name: "no-public-access",
    description:
        'Personalize buckets have all four Block Public Access settings on and no Allow for everyone ("*") without a condition that pins who.',
    enforcementLevel: "mandatory",
    severity: "critical",
    configSchema: PACK_CONFIG_SCHEMA,
    remediationSteps:
        'Declare an aws.s3.BucketPublicAccessBlock for the bucket with all four settings true, and grant named principals instead of "*".',
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
                    if (!grantsEveryone(s) || s.conditions.some(pins)) continue;
                    reportViolation(
                        `${source.where}, statement "${s.label}": it allows ${s.notPrincipal ? "every principal but those in NotPrincipal" : 'everyone ("*")'} ` +
                            `without a condition that pins the source or organisation, so bucket "${bucket.name}" is public. Grant named principals instead.`,
                        source.urn,
                    );
                }
            }
        }
    },
};
