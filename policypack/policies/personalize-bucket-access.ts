import type { StackValidationPolicy } from "@pulumi/policy";
import { PACK_CONFIG_SCHEMA, packConfig } from "../stack/pack-config";
import { PERSONALIZE_PRINCIPAL } from "../personalize/requests";
import { bucketPolicyFailures, bucketScope } from "../personalize/proofs";
import { readStatements } from "../stack/read-document";
import { StackView } from "../stack/view";

/**
 * Personalize reads its bucket (and writes batch output) with its service principal, so the bucket
 * policy itself must allow those requests, for every key Personalize may read or write and every
 * request context it may send. Personalize also reaches the bucket through the service role it
 * assumes, so no Deny of the bucket policy may hit the role's requests either (the role's own
 * policies grant them: personalize-role-access). Judged by evaluating the policy as IAM does.
 *
 * The time of the check (for aws:CurrentTime and aws:EpochTime) comes from `clock`.
 */
export const personalizeBucketAccess: StackValidationPolicy = {
    name: "personalize-bucket-access",
    description:
        "The bucket policy of every Personalize bucket lets personalize.amazonaws.com list the bucket, read its objects and, for batch workflows, write the batch output folder, and denies none of these to the service role.",
    enforcementLevel: "mandatory",
    severity: "high",
    configSchema: PACK_CONFIG_SCHEMA,
    remediationSteps: `Add Allow statements for Principal {"Service": "${PERSONALIZE_PRINCIPAL}"}: s3:ListBucket on arn:aws:s3:::<bucket>, s3:GetObject on arn:aws:s3:::<bucket>/*, and for batch s3:PutObject on arn:aws:s3:::<bucket>/<output folder>/*; make sure no Deny statement matches those requests, from the service principal or the service role.`,
    validateStack: (args, reportViolation) => {
        const view = new StackView(args.resources, packConfig(args));
        for (const problem of view.markingProblems) reportViolation(problem.message, problem.urn);
        for (const bucket of view.buckets) {
            const subject = `Personalize bucket "${bucket.name}" (${bucket.workflow})`;
            const sources = view.bucketPolicies(bucket);
            if (sources.length === 0) {
                reportViolation(
                    `${subject} has no bucket policy, so Amazon Personalize can't read it ("Insufficient privileges for accessing data in Amazon S3"). ` +
                        `Add an aws.s3.BucketPolicy for bucket "${bucket.name}" that allows ${PERSONALIZE_PRINCIPAL}.`,
                    bucket.resource?.urn,
                );
                continue;
            }
            if (sources.length > 1) {
                reportViolation(
                    `${subject} has ${sources.length} bucket policies (${sources.map(s => s.where).join(", ")}); ` +
                        "a bucket has one policy and each overwrites the other, so keep one.",
                    bucket.resource?.urn,
                );
                continue;
            }
            const statements = readStatements(sources[0], "resource");
            if (!statements) continue;
            const roles = view.personalizeRoles().filter(role => role.bucketName === bucket.name);
            const failures = bucketPolicyFailures(view, bucketScope(view, bucket), statements, roles);
            if (failures.length > 0) {
                reportViolation(
                    `${subject}: Amazon Personalize (${PERSONALIZE_PRINCIPAL}) can't use it under ${sources[0].where}: ${failures.join("; ")}.`,
                    sources[0].urn,
                );
            }
        }
    },
};
