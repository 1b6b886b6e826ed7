import type { StackValidationPolicy } from "@pulumi/policy";
import { PACK_CONFIG_SCHEMA, packConfig } from "../stack/pack-config";
import { vpcKeyUses } from "../personalize/requests";
import { readStatements } from "../stack/read-document";
import { StackView } from "../stack/view";

/**
 * "Because Amazon Personalize doesn't communicate with AWS VPCs, Amazon Personalize can't interact
 * with Amazon S3 buckets that allow only VPC access." Any VPC key in a Personalize bucket's policy
 * is flagged, whatever its case, operator or effect: as an Allow condition it never holds for
 * Personalize, and the usual Deny (`StringNotEquals aws:SourceVpce`) always matches it.
 */
export const noVpcOnlyBucketPolicy: StackValidationPolicy = {
    name: "no-vpc-only-bucket-policy",
    description:
        "No statement of a Personalize bucket's policy uses a network-origin condition key (aws:SourceVpc, aws:SourceVpce, aws:Ec2InstanceSourceVpc and their family), in a condition or as a policy variable: Personalize can't reach VPC-only buckets.",
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
                    const uses = vpcKeyUses(statement);
                    if (uses.length === 0) continue;
                    reportViolation(
                        `${source.where}, statement "${statement.label}" (${statement.effect}): ${uses.map(u => u.text).join(", ")}. ` +
                            "Amazon Personalize doesn't communicate with AWS VPCs and runs on no EC2 instance of yours, " +
                            `so its requests never carry ${[...new Set(uses.map(u => u.key))].join(", ")} and it can't use bucket "${bucket.name}" if the policy allows only VPC access. ` +
                            "Remove the VPC key from this statement.",
                        source.urn,
                    );
                }
            }
        }
    },
};
