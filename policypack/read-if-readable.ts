import type { PolicyKind, Statement } from "./iam";
import { readStatements } from "./read-document";
import type { DocumentSource } from "./stack-view";

/**
 * The statements of a document, or undefined when it can't be read. A document that can't be read
 * is reported once, by the policy that checks documents; the policies that judge what a readable
 * document grants say nothing more about it.
 */
export function statementsIfReadable(source: DocumentSource, kind: PolicyKind): Statement[] | undefined {
    return readStatements(source, kind, () => {});
}
