import type { StackValidationPolicy } from "@pulumi/policy";
import { evaluate, type PrincipalSpec, type RequestEnvelope, type Statement } from "../iam";
import { PACK_CONFIG_SCHEMA, packConfig } from "../pack-config";
import { PERSONALIZE_PRINCIPAL } from "../personalize-requests";
import { readStatements } from "../read-document";
import { StackView, describeResource } from "../stack-view";

/** An account that is never the stack's, to show whether the role trusts Personalize acting for anyone. */
const FOREIGN_ACCOUNT = "000000000000";

function onlyPersonalize(principal: PrincipalSpec | undefined): boolean {
    if (principal === undefined || principal === "*") return false;
    const entries = Object.entries(principal);
    return entries.length === 1 && entries[0][0] === "Service" && entries[0][1]!.every(id => id === PERSONALIZE_PRINCIPAL);
}

/** The account and source ARN the trust policy itself names, to show that Personalize can assume it. */
function declaredSource(statements: Statement[], partition: string): Record<string, string> | undefined {
    const values = (key: string) =>
        statements.flatMap(s =>
            s.conditions.filter(c => c.key.toLowerCase() === key.toLowerCase() && !c.baseOperator.includes("Not")).flatMap(c => c.values),
        );
    const account = values("aws:SourceAccount").find(v => /^\d{12}$/.test(v));
    if (!account) return undefined;
    const arn = values("aws:SourceArn").find(v => v.startsWith(`arn:${partition}:personalize:`));
    return {
        "aws:SourceAccount": account,
        "aws:SourceArn": (arn ?? `arn:${partition}:personalize:us-east-1:${account}:*`).replace(/[*?]/g, "dataset-group/probe"),
    };
}

/**
 * The service role must trust Personalize alone, and only when it acts for this account from a
 * Personalize resource of this account (the confused-deputy conditions). Checked by evaluating
 * sts:AssumeRole requests: Personalize for this account (must be allowed), Personalize without
 * source keys or for another account, and other principals (must not be).
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
        const partition = view.config.partition;
        for (const role of view.personalizeRoles()) {
            const where = describeResource(role.resource, "assumeRolePolicy");
            const statements = readStatements(
                { where, urn: role.resource.urn, document: role.resource.props.assumeRolePolicy },
                "resource",
            );
            if (!statements) continue;
            const problems: string[] = [];
            for (const s of statements.filter(s => s.effect === "Allow")) {
                if (s.notPrincipal)
                    problems.push(`statement "${s.label}" allows with NotPrincipal, which trusts every principal not listed`);
                else if (!onlyPersonalize(s.principal))
                    problems.push(`statement "${s.label}" trusts ${JSON.stringify(s.principal)}, not ${PERSONALIZE_PRINCIPAL} alone`);
            }
            const assume = (principal: RequestEnvelope["principal"], context: Record<string, string>, absentKeys: string[] = []) =>
                evaluate(
                    statements,
                    {
                        principal,
                        action: "sts:AssumeRole",
                        resource: `arn:${partition}:iam::${FOREIGN_ACCOUNT}:role/${role.name}`,
                        context,
                        absentKeys,
                    },
                    "resource",
                ).decision;
            const personalize = { type: "Service" as const, id: PERSONALIZE_PRINCIPAL };
            const service = { "aws:PrincipalIsAWSService": "true", "aws:SecureTransport": "true" };
            if (assume(personalize, service, ["aws:SourceAccount", "aws:SourceArn"]) === "Allowed") {
                problems.push(
                    "it lets Personalize assume the role with no aws:SourceAccount and aws:SourceArn (a confused deputy could use it); add both conditions",
                );
            } else if (
                assume(personalize, {
                    ...service,
                    "aws:SourceAccount": FOREIGN_ACCOUNT,
                    "aws:SourceArn": `arn:${partition}:personalize:us-east-1:${FOREIGN_ACCOUNT}:dataset-group/other`,
                }) === "Allowed"
            ) {
                problems.push(
                    "it lets Personalize assume the role for any account; pin aws:SourceAccount and aws:SourceArn to your account",
                );
            }
            const source = declaredSource(statements, partition);
            if (!source) {
                problems.push("it names no 12-digit aws:SourceAccount, so Personalize acting for your account can't be shown to assume it");
            } else if (assume(personalize, { ...service, ...source }) !== "Allowed") {
                problems.push(`Personalize acting for account ${source["aws:SourceAccount"]} can't assume it`);
            }
            if (problems.length > 0) {
                reportViolation(`Personalize service role "${role.name}", ${where}: ${problems.join("; ")}.`, role.resource.urn);
            }
        }
    },
};
