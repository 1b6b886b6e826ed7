import type { RequestFailure } from "./requests";

/**
 * Failures of required requests as one part of a sentence that says each reason once, and each
 * action once per reason: `s3:ListBucket on A and s3:GetObject on B, C and D are denied by statement
 * "VpcOnly"` rather than four clauses that repeat the statement. Reasons keep the order in which
 * their first failure came; parts with different reasons are joined with "; ".
 */
export function joinFailures(failures: RequestFailure[]): string {
    const byReason = new Map<string, RequestFailure[]>();
    for (const failure of failures) byReason.set(failure.reason, [...(byReason.get(failure.reason) ?? []), failure]);
    return [...byReason].map(([reason, group]) => `${actionsOn(group)} ${group.length > 1 ? plural(reason) : reason}`).join("; ");
}

function actionsOn(group: RequestFailure[]): string {
    const byAction = new Map<string, string[]>();
    for (const { action, target } of group) byAction.set(action, [...(byAction.get(action) ?? []), target]);
    return listed([...byAction].map(([action, targets]) => `${action} on ${listed(targets)}`));
}

/** The reason said of several requests: "is denied" becomes "are denied". */
function plural(reason: string): string {
    return reason.replace(/^is /, "are ");
}

/** "A", "A and B", "A, B and C". */
export function listed(items: string[]): string {
    return items.length <= 1 ? items.join("") : `${items.slice(0, -1).join(", ")} and ${items[items.length - 1]}`;
}
