import type { StackValidationPolicy } from "@pulumi/policy";
import { alternatives, closestConditionKeys, unknownConditionKeys } from "../aws/catalog";
import { personalizeDocuments, statementLocation } from "../stack/documents";
import { PACK_CONFIG_SCHEMA, packConfig } from "../stack/pack-config";
import { readStatements } from "../stack/read-document";
import { StackView } from "../stack/view";

/**
 * A key of a web identity provider (`token.actions.githubusercontent.com:sub`, `accounts.google.com:aud`):
 * its prefix is the provider's host name, which no catalog lists.
 */
function isIdentityProviderKey(key: string): boolean {
    return key.slice(0, key.indexOf(":")).includes(".");
}

/**
 * Condition keys of the policies on Personalize buckets and roles are ones IAM knows: global keys,
 * or keys of the service their prefix names (compared without case, as IAM does, so `AWS:SOURCEVPC`
 * is `aws:SourceVpc`). A misspelt key is never in a request, so its condition silently never
 * matches (or, negated, always does). Advisory by default, in a policy of its own, because AWS
 * accepts such a policy and the catalog can lag behind a new key; a stack makes it mandatory with
 * `"known-condition-keys": "mandatory"` in its policy config.
 */
export const knownConditionKeys: StackValidationPolicy = {
    name: "known-condition-keys",
    description:
        "Condition keys in the policies of Personalize buckets and roles are global keys or keys of their service (advisory: a misspelt key never matches a request).",
    enforcementLevel: "advisory",
    severity: "high",
    configSchema: PACK_CONFIG_SCHEMA,
    remediationSteps:
        "Spell the condition key as the AWS service authorization reference or the IAM global condition keys list does; the message names the closest known key.",
    validateStack: async (args, reportViolation) => {
        const view = new StackView(args.resources, packConfig(args));
        for (const { source, kind } of personalizeDocuments(view)) {
            const statements = readStatements(source, kind) ?? [];
            const unknown = await unknownConditionKeys(statements.flatMap(s => s.conditions.map(c => c.key)));
            for (const [index, statement] of statements.entries()) {
                for (const clause of statement.conditions) {
                    if (!unknown.has(clause.key) || isIdentityProviderKey(clause.key)) continue;
                    const closest = await closestConditionKeys(clause.key);
                    reportViolation(
                        `${source.where}: ${statementLocation(statement, index)}: condition key ${JSON.stringify(clause.key)} (${clause.operator}) ` +
                            "is neither a global condition key nor a key of its service, so no request carries it and IAM evaluates the condition " +
                            `as if the key were absent (StringEquals never matches, StringNotEquals always does). ${closest.length > 0 ? `Did you mean ${alternatives(closest)}?` : "Check its spelling."}`,
                        source.urn,
                    );
                }
            }
        }
    },
};
