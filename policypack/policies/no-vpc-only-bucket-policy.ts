import type { StackValidationPolicy } from "@pulumi/policy";
import { PACK_CONFIG_SCHEMA, packConfig } from "../pack-config";
import { vpcConditions } from "../personalize-requests";
import { readStatements } from "../read-document";
import { StackView } from "../stack-view";

/**
 * "Because Amazon Personalize doesn't communicate with AWS VPCs, Amazon Personalize can't interact
 * with Amazon S3 buckets that allow only VPC access." Any VPC key in a Personalize bucket's policy
 * is flagged, whatever its case, operator or effect: as an Allow condition it never holds for
 * Personalize, and the usual Deny (`StringNotEquals aws:SourceVpce`) always matches it.
 */
export const noVpcOnlyBucketPolicy: StackValidationPolicy = {
    name: "no-vpc-only-bucket-policy",
    description:
        "No statement of a Personalize bucket's policy tests a VPC condition key (aws:SourceVpc, aws:SourceVpce and their family): Personalize can't reach VPC-only buckets.",
    enforcementLevel: "mandatory",
    severity: "high",
    configSchema: PACK_CONFIG_SCHEMA,
    remediationSteps:
        "Remove the VPC condition from the bucket policy. To keep your own principals on the VPC endpoint, restrict them in their identity policies or through an S3 access point, not in the Personalize bucket's policy.",
    validateStack: (args, reportViolation) => {
        const view = new StackView(args.resources, packConfig(args));
        for (const bucket of view.buckets) {
            for (const source of view.bucketPolicies(bucket)) {
                const statements = readStatements(source, "resource");
                for (const statement of statements ?? []) {
                    const clauses = vpcConditions(statement);
                    if (clauses.length === 0) continue;
                    reportViolation(
                        `${source.where}, statement "${statement.label}" (${statement.effect}): its condition tests ` +
                            `${clauses.map(c => `${c.key} (${c.operator})`).join(", ")}. Amazon Personalize doesn't communicate with AWS VPCs, ` +
                            `so its requests carry no VPC keys and it can't use bucket "${bucket.name}" if the policy allows only VPC access. ` +
                            "Remove the VPC condition from this statement.",
                        source.urn,
                    );
                }
            }
        }
    },
};
