import { parsePolicy, type PolicyKind, type Statement } from "../iam";
import type { DocumentSource } from "./view";

/**
 * The statements of a policy document (a JSON string or an object), or undefined when it can't be
 * read. Nothing is reported here: policy-document-validity reports every unreadable document, once
 * for the whole pack, and a policy can't judge what it can't read, so it skips the document.
 */
export function readStatements(source: DocumentSource, kind: PolicyKind): Statement[] | undefined {
    const parsed = parsePolicy(source.document, kind);
    return parsed.ok ? parsed.statements : undefined;
}
