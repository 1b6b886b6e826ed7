import type { StackValidationPolicy } from "@pulumi/policy";
import { judgeDatasetImports } from "../personalize/dataset-imports";
import { PACK_CONFIG_SCHEMA, packConfig } from "../stack/pack-config";
import { StackView } from "../stack/view";

/**
 * The dataset import jobs personalize-dataset-import can't judge: their data location is not in a
 * Personalize bucket the pack knows, or their role is not in the stack (another account, or a name
 * the stack doesn't declare). Advisory, as CrossGuard sets enforcement per policy: such a job may
 * well work, the pack just can't read what decides it.
 */
export const personalizeDatasetImportUnverified: StackValidationPolicy = {
    name: "personalize-dataset-import-unverified",
    description:
        "Names every Personalize dataset import job whose data location is outside the Personalize buckets the pack knows, or whose role is outside the stack, so that its access can't be verified.",
    enforcementLevel: "advisory",
    severity: "high",
    configSchema: PACK_CONFIG_SCHEMA,
    remediationSteps:
        "Import from the stack's Personalize bucket with its service role; for a bucket the stack doesn't declare, name it in the pack's buckets config so its policy is judged where the stack declares it.",
    validateStack: (args, reportViolation) => {
        for (const verdict of judgeDatasetImports(new StackView(args.resources, packConfig(args))))
            if (verdict.kind === "unverifiable") reportViolation(verdict.message, verdict.urn);
    },
};
