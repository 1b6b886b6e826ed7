import type { StackValidationPolicy } from "@pulumi/policy";
import { PACK_CONFIG_SCHEMA, packConfig } from "../stack/pack-config";
import { PERSONALIZE_PRINCIPAL } from "../personalize/requests";
import { roleTrustProblems } from "../personalize/proofs";
import { StackView, describeResource } from "../stack/view";

/**
 * The service role must trust Personalize alone, and only when it acts for this stack's account
 * from a Personalize resource of that account (the confused-deputy conditions), shown over every
 * account and region by personalize/trust-proof.ts.
 */
export const personalizeRoleTrust: StackValidationPolicy = {
    name: "personalize-role-trust",
    description: "The Personalize service role trusts personalize.amazonaws.com only, with aws:SourceAccount and aws:SourceArn conditions.",
    enforcementLevel: "mandatory",
    severity: "high",
    configSchema: PACK_CONFIG_SCHEMA,
    remediationSteps: `Trust only {"Service": "${PERSONALIZE_PRINCIPAL}"} for sts:AssumeRole, with StringEquals aws:SourceAccount = <account> and StringLike aws:SourceArn = arn:<partition>:personalize:<region>:<account>:*.`,
    validateStack: (args, reportViolation) => {
        const view = new StackView(args.resources, packConfig(args));
        for (const role of view.personalizeRoles()) {
            const where = describeResource(role.resource, "assumeRolePolicy");
            // Undefined when the document can't be read: policy-document-validity reports it.
            const problems = roleTrustProblems(view, role);
            if (problems && problems.length > 0) {
                reportViolation(`Personalize service role "${role.name}", ${where}: ${problems.join("; ")}.`, role.resource.urn);
            }
        }
    },
};
