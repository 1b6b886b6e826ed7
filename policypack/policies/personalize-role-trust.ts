import type { StackValidationPolicy } from "@pulumi/policy";
import type { PrincipalSpec } from "../iam";
import { PACK_CONFIG_SCHEMA, packConfig } from "../pack-config";
import { PERSONALIZE_PRINCIPAL } from "../personalize-requests";
import { readStatements } from "../read-document";
import { StackView, describeResource } from "../stack-view";
import { trustProblems } from "../trust-proof";

function onlyPersonalize(principal: PrincipalSpec | undefined): boolean {
    if (principal === undefined || principal === "*") return false;
    const entries = Object.entries(principal);
    return entries.length === 1 && entries[0][0] === "Service" && entries[0][1]!.every(id => id === PERSONALIZE_PRINCIPAL);
}

/** The Personalize jobs that use a role of each workflow, as the resource part of their source ARNs. */
const SOURCE_RESOURCES = {
    import: ["dataset-import-job/personalize-import"],
    batch: ["dataset-import-job/personalize-import", "batch-inference-job/personalize-batch", "batch-segment-job/personalize-batch"],
};

/**
 * The service role must trust Personalize alone, and only when it acts for this stack's account
 * from a Personalize resource of that account (the confused-deputy conditions), shown over every
 * account and region by trust-proof.ts.
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
        const identity = view.identity;
        for (const role of view.personalizeRoles()) {
            const where = describeResource(role.resource, "assumeRolePolicy");
            const document = role.resource.props.assumeRolePolicy;
            const statements = readStatements({ where, urn: role.resource.urn, document }, "resource");
            if (!statements) continue;
            const problems: string[] = [];
            for (const s of statements.filter(s => s.effect === "Allow")) {
                if (s.notPrincipal)
                    problems.push(`statement "${s.label}" allows with NotPrincipal, which trusts every principal not listed`);
                else if (!onlyPersonalize(s.principal))
                    problems.push(`statement "${s.label}" trusts ${JSON.stringify(s.principal)}, not ${PERSONALIZE_PRINCIPAL} alone`);
            }
            const workflow = view.bucketNamed(role.bucketName)?.workflow ?? "import";
            problems.push(
                ...trustProblems(statements, {
                    ...identity,
                    roleArn: `arn:${identity.partition}:iam::${identity.account ?? "000000000000"}:role/${role.name}`,
                    resources: SOURCE_RESOURCES[workflow],
                }),
            );
            if (problems.length > 0) {
                reportViolation(`Personalize service role "${role.name}", ${where}: ${problems.join("; ")}.`, role.resource.urn);
            }
        }
    },
};
