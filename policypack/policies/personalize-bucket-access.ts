import type { StackValidationPolicy } from "@pulumi/policy";
import { PACK_CONFIG_SCHEMA, packConfig } from "../pack-config";
import { PERSONALIZE_PRINCIPAL, requiredAccess, servicePrincipalRequest, whyNotAllowed } from "../personalize-requests";
import { readStatements } from "../read-document";
import { StackView } from "../stack-view";

/**
 * Personalize reads its bucket (and writes batch output) with its service principal, so the bucket
 * policy itself must allow those requests. Judged by evaluating the policy as IAM does, not by
 * matching action strings.
 */
export const personalizeBucketAccess: StackValidationPolicy = {
    name: "personalize-bucket-access",
    description:
        "The bucket policy of every Personalize bucket lets personalize.amazonaws.com list the bucket, read its objects and, for batch workflows, write the batch output folder.",
    enforcementLevel: "mandatory",
    severity: "high",
    configSchema: PACK_CONFIG_SCHEMA,
    remediationSteps: `Add Allow statements for Principal {"Service": "${PERSONALIZE_PRINCIPAL}"}: s3:ListBucket on arn:aws:s3:::<bucket>, s3:GetObject on arn:aws:s3:::<bucket>/*, and for batch s3:PutObject on arn:aws:s3:::<bucket>/<output folder>/*; make sure no Deny statement matches those requests.`,
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
            const failures = requiredAccess(bucket, view.objectKeys(bucket), view.config.partition)
                .map(access => whyNotAllowed(statements, servicePrincipalRequest(access), "resource"))
                .filter((why): why is string => why !== undefined);
            if (failures.length > 0) {
                reportViolation(
                    `${subject}: Amazon Personalize (${PERSONALIZE_PRINCIPAL}) can't use it under ${sources[0].where}: ${failures.join("; ")}.`,
                    sources[0].urn,
                );
            }
        }
    },
};
