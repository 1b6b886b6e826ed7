/**
 * Evaluates one policy document's statements against one request, with IAM's rules:
 * an applicable Deny overrides every Allow; without an applicable Allow the request is implicitly
 * denied. Actions match case-insensitively, resources case-sensitively (ARN component by component;
 * `*` in the last component spans `/` and `:`), condition key names case-insensitively.
 *
 * Fail-safe three-valued logic: a condition key that is neither in `context` nor in `absentKeys` is
 * UNKNOWN, and so is anything the evaluator cannot decide (an operator IAM does not define, a
 * policy variable it cannot resolve, a principal-dependent statement when the request names no
 * principal). A statement that depends on an undetermined part is listed in `undetermined` and:
 *  - as an Allow, does NOT count as allowing;
 *  - as a Deny, DOES apply: the decision is ExplicitDeny and the statement is in `deniedBy` too.
 * So an undetermined answer is never more permissive than the real one.
 */
import { any, evaluateCondition, every, not, type Truth } from "./conditions";
import type { PrincipalSpec, PrincipalType, Statement } from "./document";
import { wildcardPattern, type KeyLookup, type KeyValue } from "./wildcards";

export interface RequestEnvelope {
    /** Who makes the request: needed for resource-based policies, ignored for identity policies. */
    principal?: { type: PrincipalType; id: string };
    /** e.g. `s3:GetObject` */
    action: string;
    /** e.g. `arn:aws:s3:::bucket/data/interactions.csv` */
    resource: string;
    /** Keys present in the request; names are case-insensitive, booleans are "true"/"false". */
    context: Record<string, string | string[]>;
    /** Keys known to be ABSENT from the request: IAM's absent-key rules apply to them. */
    absentKeys?: string[];
}

export type Decision = "Allowed" | "ExplicitDeny" | "ImplicitDeny";

export interface Verdict {
    decision: Decision;
    /** Allow statements that apply for certain. */
    allowedBy: Statement[];
    /** Deny statements that apply or might apply (the latter also in `undetermined`). */
    deniedBy: Statement[];
    /** Statements whose applicability could not be decided. */
    undetermined: Statement[];
}

export type EvaluationKind = "resource" | "identity";

export function evaluate(statements: Statement[], request: RequestEnvelope, kind: EvaluationKind): Verdict {
    const lookup = contextLookup(request);
    const verdict: Verdict = { decision: "ImplicitDeny", allowedBy: [], deniedBy: [], undetermined: [] };
    for (const statement of statements) {
        const applies = statementApplies(statement, request, kind, lookup);
        if (applies === false) continue;
        if (applies === "unknown") verdict.undetermined.push(statement);
        if (statement.effect === "Deny") verdict.deniedBy.push(statement);
        else if (applies === true) verdict.allowedBy.push(statement);
    }
    if (verdict.deniedBy.length > 0) verdict.decision = "ExplicitDeny";
    else if (verdict.allowedBy.length > 0) verdict.decision = "Allowed";
    return verdict;
}

/** Whether a statement applies to the request: every element must match (AND). */
function statementApplies(statement: Statement, request: RequestEnvelope, kind: EvaluationKind, lookup: KeyLookup): Truth {
    const parts: Array<() => Truth> = [
        () => kind === "identity" || principalMatches(statement, request.principal),
        () =>
            statement.action
                ? actionListMatches(statement.action, request.action)
                : !actionListMatches(statement.notAction ?? [], request.action),
        () => resourceElementMatches(statement, request.resource, lookup),
        () => every(statement.conditions, clause => evaluateCondition(clause, lookup)),
    ];
    return every(parts, part => part());
}

function actionListMatches(patterns: string[], action: string): boolean {
    return patterns.some(pattern => wildcardPattern(pattern, NO_VARIABLES, true)?.test(action) === true);
}

/** Policy variables are not allowed in actions or principals, so `${` there is literal text. */
const NO_VARIABLES: KeyLookup = () => ({ state: "unknown" });

/** A statement without Resource/NotResource (a trust policy) applies to the resource it is attached to. */
function resourceElementMatches(statement: Statement, resource: string, lookup: KeyLookup): Truth {
    if (statement.resource) return any(statement.resource, pattern => resourceMatches(pattern, resource, lookup));
    if (statement.notResource) return not(any(statement.notResource, pattern => resourceMatches(pattern, resource, lookup)));
    return true;
}

function resourceMatches(pattern: string, resource: string, lookup: KeyLookup): Truth {
    if (pattern === "*") return true;
    const patternParts = pattern.split(":");
    const resourceParts = resource.split(":");
    // A `*` ending a short pattern ("arn:aws:s3:*") expands beyond colon boundaries (IAM User Guide,
    // Resource element), so such a pattern is matched against the whole ARN.
    if (patternParts.length < 6) return whole(wildcardPattern(pattern, lookup, false), resource);
    if (resourceParts.length < 6) return false;
    const pairs = patternParts.slice(0, 5).map((part, i) => [part, resourceParts[i]]);
    pairs.push([patternParts.slice(5).join(":"), resourceParts.slice(5).join(":")]);
    return every(pairs, ([part, value]) => whole(wildcardPattern(part, lookup, false), value));
}

function whole(regex: RegExp | undefined, value: string): Truth {
    return regex === undefined ? "unknown" : regex.test(value);
}

/**
 * `"*"` and `{"AWS": "*"}` both match every principal, service principals included. The IAM User
 * Guide ("AWS JSON policy elements: Principal", section "All principals") lists both forms as the
 * way to name all principals, and its `aws:PrincipalIsAWSService` guidance exempts services from a
 * `"Principal": "*"` Deny with that key, which only makes sense if the wildcard covers them.
 * Other identifiers match exactly: an account ID or `:root` ARN delegates to the account's own
 * IAM policies rather than granting a role or user directly, so it does not match them here.
 */
function principalMatches(statement: Statement, principal: RequestEnvelope["principal"]): Truth {
    if (statement.principal) return specMatches(statement.principal, principal);
    if (statement.notPrincipal) return not(specMatches(statement.notPrincipal, principal));
    return false;
}

function specMatches(spec: PrincipalSpec, principal: RequestEnvelope["principal"]): Truth {
    if (spec === "*" || spec.AWS?.includes("*")) return true;
    if (!principal) return "unknown";
    return spec[principal.type]?.includes(principal.id) === true;
}

function contextLookup(request: RequestEnvelope): KeyLookup {
    const present = new Map<string, string | string[]>();
    for (const [key, value] of Object.entries(request.context)) present.set(key.toLowerCase(), value);
    const absent = new Set((request.absentKeys ?? []).map(key => key.toLowerCase()));
    return (key: string): KeyValue => {
        const lower = key.toLowerCase();
        const value = present.get(lower);
        if (value !== undefined) return { state: "present", value };
        return absent.has(lower) ? { state: "absent" } : { state: "unknown" };
    };
}
