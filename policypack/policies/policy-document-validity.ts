import type { StackValidationPolicy } from "@pulumi/policy";
import { alternatives, unknownActions } from "../aws/catalog";
import { personalizeDocuments, statementLocation, type DocumentUse, type PackDocument } from "../stack/documents";
import { bucketPolicySizeProblem, roleInlineSizeProblems, trustPolicySizeProblem } from "../aws/size-limits";
import { parsePolicy } from "../iam";
import { PACK_CONFIG_SCHEMA, packConfig, type PackConfig } from "../stack/pack-config";
import { StackView } from "../stack/view";

/** The call that puts each kind of document, where AWS would turn it down. */
const PUT_CALL: Record<DocumentUse, string> = {
    "bucket policy": "S3 rejects it at PutBucketPolicy",
    "trust policy": "IAM rejects it at CreateRole / UpdateAssumeRolePolicy",
    "inline role policy": "IAM rejects it at PutRolePolicy",
    "managed policy": "IAM rejects it at CreatePolicy",
};

/** What an action that doesn't exist does where the document is used. */
function invalidActionEffect(use: DocumentUse): string {
    return use === "bucket policy"
        ? 'S3 rejects the bucket policy with "Policy has invalid action"'
        : "it matches no request, so the statement doesn't allow or deny what it names";
}

/** A message ends as a sentence: with a full stop unless it ends with a question. */
function sentence(text: string): string {
    return /[.?]$/.test(text) ? text : `${text}.`;
}

async function documentProblems(document: PackDocument, config: PackConfig): Promise<string[]> {
    const problems: string[] = [];
    const size =
        document.use === "bucket policy"
            ? bucketPolicySizeProblem(document)
            : document.use === "trust policy"
              ? trustPolicySizeProblem(document, config.roleTrustPolicyLength)
              : undefined;
    if (size) problems.push(size);
    const parsed = parsePolicy(document.source.document, document.kind);
    if (!parsed.ok) {
        const consequence = `${PUT_CALL[document.use]}, and the pack's other policies skip the document until it is fixed`;
        return [...problems, ...parsed.problems.map(p => `${p}. ${consequence}`)];
    }
    const unknown = unknownActions(parsed.statements.flatMap(s => [...(s.action ?? []), ...(s.notAction ?? [])]));
    for (const [index, statement] of parsed.statements.entries()) {
        const location = statementLocation(statement, index);
        if (document.use === "bucket policy" && !statement.resource && !statement.notResource) {
            const arn = `arn:${config.partition}:s3:::${document.bucketName}`;
            problems.push(
                `${location}: a bucket-policy statement needs Resource (or NotResource); ${PUT_CALL[document.use]}. ` +
                    `Add e.g. "Resource": ["${arn}", "${arn}/*"]`,
            );
        }
        for (const [element, actions] of [
            ["Action", statement.action],
            ["NotAction", statement.notAction],
        ] as const) {
            for (const action of actions ?? []) {
                const why = unknown.get(action);
                if (!why) continue;
                problems.push(
                    `${location}: ${element} ${JSON.stringify(action)} names no action (${why.reason}); ${invalidActionEffect(document.use)}. ` +
                        (why.suggestions
                            ? `Did you mean ${alternatives(why.suggestions)}?`
                            : "Use an action the service lists in the AWS service authorization reference"),
                );
            }
        }
    }
    return problems;
}

/**
 * Checks every policy document the pack reads on Personalize buckets and roles for what S3 and IAM
 * check when it is put: JSON without duplicate keys, the policy grammar and Version, Principal and
 * Resource in bucket-policy statements, actions that exist, IAM's own rules in the policies IAM
 * stores (iam/iam-document-rules.ts: Sids, NotPrincipal in a trust, characters), and the size
 * limits (a trust policy's within the account's quota, pack config roleTrustPolicyLength). This is
 * the only policy that reports an unreadable or invalid document; the others skip it
 * (stack/read-document.ts), so each problem is reported once.
 */
export const policyDocumentValidity: StackValidationPolicy = {
    name: "policy-document-validity",
    description:
        "Every policy document on a Personalize bucket or service role is one S3 and IAM accept: valid JSON without duplicate keys, a known Version, Principal and Resource in bucket-policy statements, actions that exist, in IAM's policies alphanumeric unique Sids, no NotPrincipal in a trust policy and only the characters IAM accepts, within the size limits.",
    enforcementLevel: "mandatory",
    severity: "high",
    configSchema: PACK_CONFIG_SCHEMA,
    remediationSteps:
        "Fix each problem the message names at the location it gives (resource, statement, line:column): remove the duplicate key, correct the action against the AWS service authorization reference, add the missing element, rename the Sid, replace the character, or shorten the policy below the limit (for a trust policy, or raise the account's quota and set roleTrustPolicyLength).",
    validateStack: async (args, reportViolation) => {
        const view = new StackView(args.resources, packConfig(args));
        const documents = personalizeDocuments(view);
        for (const document of documents) {
            for (const problem of await documentProblems(document, view.config)) {
                reportViolation(sentence(`${document.source.where}: ${problem}`), document.source.urn);
            }
        }
        for (const problem of roleInlineSizeProblems(documents)) reportViolation(sentence(problem.message), problem.urn);
    },
};
