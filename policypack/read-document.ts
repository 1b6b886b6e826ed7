import type { ReportViolation } from "@pulumi/policy";
import { parsePolicy, type PolicyKind, type Statement } from "./iam";
import type { DocumentSource } from "./stack-view";

/**
 * The statements of a policy document (a JSON string or an object), or undefined after reporting
 * why it can't be read: a document the pack can't read is a violation, never a pass.
 */
export function readStatements(source: DocumentSource, kind: PolicyKind, reportViolation: ReportViolation): Statement[] | undefined {
    const parsed = parsePolicy(source.document, kind);
    if (parsed.ok) return parsed.statements;
    reportViolation(
        `${source.where}: the policy document can't be read, so it can't be checked: ${parsed.problems.join("; ")}`,
        source.urn,
    );
    return undefined;
}
