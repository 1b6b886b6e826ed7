import type { StackValidationPolicy } from "@pulumi/policy";
import type { Statement } from "../iam";
import { PACK_CONFIG_SCHEMA, packConfig } from "../stack/pack-config";
import { excessGrant, type ExcessGrant, type KmsNeed } from "../personalize/excess-grants";
import { keyArnsUsedBy } from "../personalize/kms-key-uses";
import { dataWriters, writerExcess } from "../personalize/writer-grants";
import { readStatements } from "../stack/read-document";
import { StackView, type DocumentSource, type PersonalizeBucket } from "../stack/view";

const PERSONALIZE = "personalize.amazonaws.com";

/**
 * Grants to Amazon Personalize go no further than its workflow needs: no writes but PutObject in
 * the batch output folder, no deletes, no wildcard actions that expand to writes, no other buckets;
 * and the service role's KMS grants no more than the actions Personalize needs on the keys it uses
 * (Personalize Developer Guide, "Giving Amazon Personalize permission to use your AWS KMS key",
 * https://docs.aws.amazon.com/personalize/latest/dg/granting-personalize-key-access.html).
 * Advisory by default: a stack makes it mandatory in its policy config.
 */
export const personalizeLeastPrivilege: StackValidationPolicy = {
    name: "personalize-least-privilege",
    description:
        "Bucket-policy grants to personalize.amazonaws.com (or its service role) and the role's own policies allow no more than the workflow needs: " +
        "s3:ListBucket on the bucket, s3:GetObject on its objects, and for batch s3:PutObject in the batch output folder only; " +
        "of KMS, the role's policies allow only kms:Decrypt, kms:GenerateDataKey, kms:DescribeKey, kms:CreateGrant and kms:ListGrants on the keys Personalize uses; " +
        "bucket-policy grants to the data writers (the principals of its DataWritersPutObject statement: a pipeline's roles) allow s3:PutObject and s3:AbortMultipartUpload under the import folder only.",
    enforcementLevel: "advisory",
    severity: "high",
    configSchema: PACK_CONFIG_SCHEMA,
    remediationSteps:
        "Replace the statement with one statement per action on the narrowest resource, as the message writes them: s3:ListBucket on arn:aws:s3:::<bucket>, " +
        "s3:GetObject on arn:aws:s3:::<bucket>/*, and for batch s3:PutObject on arn:aws:s3:::<bucket>/<batch output folder>/*; drop wildcards, deletes and other buckets. " +
        'Grant KMS actions on the ARNs of the keys Personalize uses, never on "*" or kms:*. ' +
        "For a data writer: s3:PutObject and s3:AbortMultipartUpload on arn:aws:s3:::<bucket>/<import folder>/*, nothing else.",
    validateStack: (args, reportViolation) => {
        const view = new StackView(args.resources, packConfig(args));
        const partition = view.config.partition;
        const roles = view.personalizeRoles();
        const report = (source: DocumentSource, statement: Statement, excess: ExcessGrant | undefined, grantee: string, need: string) => {
            if (!excess) return;
            const fix =
                excess.narrowed.length === 0
                    ? "Remove the statement: Personalize needs none of what it grants."
                    : `Replace it with ${excess.narrowed.map(s => JSON.stringify(s)).join(" and ")}.`;
            reportViolation(
                `${source.where}, statement "${statement.label}": it gives ${grantee} more than ${need} needs: ${excess.reasons.join("; ")}. ${fix}`,
                source.urn,
            );
        };
        const check = (source: DocumentSource, statement: Statement, bucket: PersonalizeBucket, grantee: string, kms?: KmsNeed) =>
            report(
                source,
                statement,
                excessGrant(statement, bucket, partition, statement.principal, kms),
                grantee,
                `the ${bucket.workflow} workflow of bucket "${bucket.name}"`,
            );

        for (const bucket of view.buckets) {
            const roleArns = roles
                .filter(r => r.bucketName === bucket.name)
                .map(r => new RegExp(`^arn:[^:]+:iam::\\d{12}:role/(.*/)?${escape(r.name)}$`));
            for (const source of view.bucketPolicies(bucket)) {
                const statements = readStatements(source, "resource") ?? [];
                const writers = dataWriters(statements);
                for (const s of statements) {
                    if (s.effect !== "Allow" || s.principal === "*" || !s.principal) continue;
                    if (s.principal.Service?.some(id => id.toLowerCase() === PERSONALIZE))
                        check(source, s, bucket, `Amazon Personalize (${PERSONALIZE})`);
                    else if (s.principal.AWS?.some(id => roleArns.some(arn => arn.test(id))))
                        check(source, s, bucket, "Personalize's service role");
                    else if (s.principal.AWS?.some(id => writers.has(id)))
                        report(
                            source,
                            s,
                            writerExcess(s, bucket, partition, s.principal),
                            `the data writer ${s.principal.AWS.filter(id => writers.has(id)).join(", ")}`,
                            `writing the data of bucket "${bucket.name}"`,
                        );
                }
            }
        }
        for (const role of roles) {
            const bucket = view.bucketNamed(role.bucketName);
            if (!bucket) continue;
            let keyArns: { arns?: string[] } | undefined;
            const kms: KmsNeed = { keyArns: () => (keyArns ??= { arns: keyArnsUsedBy(view, role) }).arns };
            for (const source of view.roleIdentityPolicies(role).sources) {
                for (const s of readStatements(source, "identity") ?? []) {
                    if (s.effect === "Allow") check(source, s, bucket, `the service role "${role.name}"`, kms);
                }
            }
        }
    },
};

function escape(text: string): string {
    return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}
