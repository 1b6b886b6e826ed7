import type { StackValidationPolicy } from "@pulumi/policy";
import { judgeDatasetImports } from "../personalize/dataset-imports";
import { PACK_CONFIG_SCHEMA, packConfig } from "../stack/pack-config";
import { PERSONALIZE_PRINCIPAL } from "../personalize/requests";
import { StackView } from "../stack/view";

/**
 * Every dataset import job (an aws-native Personalize Dataset with `datasetImportJob`) must be one
 * Personalize can run: a data location CreateDatasetImportJob accepts, a role ARN that names a role
 * (not a role of the stack at another path), the location in a Personalize bucket whose policy lets
 * Personalize read every key under it, its role trusted by Personalize and allowed the same reads.
 * Judged with the proofs of personalize-bucket-access, personalize-role-trust and
 * personalize-role-access, for that folder and that role. A job whose bucket or role the stack doesn't declare is left to
 * personalize-dataset-import-unverified.
 */
export const personalizeDatasetImport: StackValidationPolicy = {
    name: "personalize-dataset-import",
    description:
        "Every Personalize dataset import job has a data location CreateDatasetImportJob accepts ((s3|http|https)://.+, at most 256 characters) and reads a folder of a Personalize bucket whose policy lets personalize.amazonaws.com list it and read every key in the folder, with a role of the stack (path and name) that trusts Personalize alone and may read the same.",
    enforcementLevel: "mandatory",
    severity: "high",
    configSchema: PACK_CONFIG_SCHEMA,
    remediationSteps: `Set datasetImportJob.dataSource.dataLocation to s3://<bucket>/<folder>/ of the stack's Personalize bucket, whose bucket policy allows {"Service": "${PERSONALIZE_PRINCIPAL}"} s3:ListBucket on the bucket and s3:GetObject under the folder, and datasetImportJob.roleArn to its service role's ARN, with the role's path, which trusts ${PERSONALIZE_PRINCIPAL} for your account and may do the same.`,
    validateStack: (args, reportViolation) => {
        for (const verdict of judgeDatasetImports(new StackView(args.resources, packConfig(args))))
            if (verdict.kind === "fails") reportViolation(verdict.message, verdict.urn);
    },
};
