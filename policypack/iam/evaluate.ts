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
import { evaluateCondition, every, not, type Truth } from "./conditions";
import type { PrincipalSpec, PrincipalType, Statement } from "./document";
import { globMatches, resourceGlob, type Glob, type ResourceMatcher } from "./key-sets";
import { wildcardPattern, type KeyLookup, type KeyValue } from "./wildcards";

export interface RequestEnvelope {
    /** Who makes the request: needed for resource-based policies, ignored for identity policies. */
    principal?: { type: PrincipalType; id: string; session?: RoleSession };
    /** e.g. `s3:GetObject` */
    action: string;
    /** e.g. `arn:aws:s3:::bucket/data/interactions.csv` */
    resource: string;
    /** Keys present in the request; names are case-insensitive, booleans are "true"/"false". */
    context: Record<string, string | string[]>;
    /** Keys known to be ABSENT from the request: IAM's absent-key rules apply to them. */
    absentKeys?: string[];
}

/** A role's session, to tell which Principal identifiers name it; the account may be unknown. */
export interface RoleSession {
    partition: string;
    account?: string;
    roleName: string;
    /** The role's path, `/` by default. */
    rolePath: string;
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
        const applies = and(appliesApartFromResource(statement, request, kind, lookup), () =>
            resourceElementMatches(statement, request.resource, lookup),
        );
        if (applies === false) continue;
        if (applies === "unknown") verdict.undetermined.push(statement);
        if (statement.effect === "Deny") verdict.deniedBy.push(statement);
        else if (applies === true) verdict.allowedBy.push(statement);
    }
    if (verdict.deniedBy.length > 0) verdict.decision = "ExplicitDeny";
    else if (verdict.allowedBy.length > 0) verdict.decision = "Allowed";
    return verdict;
}

/** Three-valued AND that skips the second part once the first is false. */
export function and(first: Truth, second: () => Truth): Truth {
    return first === false ? false : every([first, second()], t => t);
}

/** Whether a statement applies to the request, its Resource/NotResource left aside: principal, action and conditions (AND). */
export function appliesApartFromResource(
    statement: Statement,
    request: Omit<RequestEnvelope, "resource">,
    kind: EvaluationKind,
    lookup: KeyLookup,
): Truth {
    return and(principalAndActionMatch(statement, request, kind), () => conditionsHold(statement, lookup));
}

/** The parts of a statement that don't depend on the request context: principal (resource policies) and action. */
export function principalAndActionMatch(
    statement: Statement,
    request: Pick<RequestEnvelope, "principal" | "action">,
    kind: EvaluationKind,
): Truth {
    const action = statement.action
        ? actionListMatches(statement.action, request.action)
        : !actionListMatches(statement.notAction ?? [], request.action);
    return action && (kind === "identity" || principalMatches(statement, request.principal));
}

export function conditionsHold(statement: Statement, lookup: KeyLookup): Truth {
    return every(statement.conditions, clause => evaluateCondition(clause, lookup, statement.variables));
}

function actionListMatches(patterns: string[], action: string): boolean {
    return patterns.some(pattern => wildcardPattern(pattern, NO_LOOKUP, true, false)?.test(action) === true);
}

/** Policy variables are not allowed in actions or principals, so `${` there is literal text. */
const NO_LOOKUP: KeyLookup = () => ({ state: "unknown" });

/**
 * A statement's Resource or NotResource as patterns with their variables resolved, or undefined if
 * one can't be resolved. A statement without either (a trust policy) applies to the resource it
 * is attached to: an empty NotResource.
 */
export function resourceMatcher(statement: Statement, lookup: KeyLookup): ResourceMatcher | undefined {
    const patterns = statement.resource ?? statement.notResource ?? [];
    const globs = patterns.map(p => resourceGlob(p, lookup, statement.variables));
    if (globs.some(g => g === undefined)) return undefined;
    return { globs: globs as Glob[], negated: statement.resource === undefined };
}

function resourceElementMatches(statement: Statement, resource: string, lookup: KeyLookup): Truth {
    const matcher = resourceMatcher(statement, lookup);
    if (!matcher) return "unknown";
    return matcher.globs.some(g => globMatches(g, resource)) !== matcher.negated;
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
    if (statement.principal) return specMatches(statement.principal, principal, "Principal");
    if (statement.notPrincipal) return not(specMatches(statement.notPrincipal, principal, "NotPrincipal"));
    return false;
}

function specMatches(spec: PrincipalSpec, principal: RequestEnvelope["principal"], element: "Principal" | "NotPrincipal"): Truth {
    if (spec === "*" || spec.AWS?.includes("*")) return true;
    if (!principal) return "unknown";
    const ids = spec[principal.type] ?? [];
    if (!principal.session) return ids.includes(principal.id);
    return sessionNamed(ids, principal.session, element);
}

/**
 * Whether identifiers name a role's session. As a Principal, the role's ARN or its account name it
 * (a Deny naming the account hits every principal of it). As a NotPrincipal, IAM exempts a session
 * only when its assumed-role session ARN is listed (IAM User Guide, NotPrincipal with Deny): the
 * role's ARN alone does not exempt it. The session name is not known here, and whether listing the
 * account exempts it is not documented plainly, so both are undetermined. With the account
 * unknown, an identifier that would name the role in some account is undetermined.
 */
function sessionNamed(ids: string[], session: RoleSession, element: "Principal" | "NotPrincipal"): Truth {
    const { roleArn, account, sessionArn } = sessionPatterns(session);
    const names = (re: RegExp): Truth => (ids.some(id => re.test(id)) ? (session.account !== undefined ? true : "unknown") : false);
    const namesRole = names(roleArn);
    const namesAccount = names(account);
    const namesSession = ids.some(id => sessionArn.test(id));
    if (element === "Principal") {
        if (namesRole === true || namesAccount === true) return true;
        return namesRole === "unknown" || namesAccount === "unknown" || namesSession ? "unknown" : false;
    }
    return namesSession || namesAccount !== false ? "unknown" : false;
}

const sessionPatternCache = new WeakMap<RoleSession, { roleArn: RegExp; account: RegExp; sessionArn: RegExp }>();

/** The identifiers that name the role, its account and its sessions (any 12-digit account while the account is unknown). */
function sessionPatterns(session: RoleSession): { roleArn: RegExp; account: RegExp; sessionArn: RegExp } {
    const known = sessionPatternCache.get(session);
    if (known) return known;
    const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&");
    const account = session.account ?? "\\d{12}";
    const partition = escape(session.partition);
    const patterns = {
        roleArn: new RegExp(`^arn:${partition}:iam::${account}:role${escape(session.rolePath + session.roleName)}$`),
        account: new RegExp(`^(${account}|arn:${partition}:iam::${account}:root)$`),
        sessionArn: new RegExp(`^arn:${partition}:sts::${account}:assumed-role/${escape(session.roleName)}/`),
    };
    sessionPatternCache.set(session, patterns);
    return patterns;
}

const lookups = new WeakMap<object, { absentKeys?: string[]; lookup: KeyLookup }>();

/** The request's key lookup, kept with its context object so that one context judged many times is indexed once. */
export function contextLookup(request: Pick<RequestEnvelope, "context" | "absentKeys">): KeyLookup {
    const known = lookups.get(request.context);
    if (known && known.absentKeys === request.absentKeys) return known.lookup;
    const present = new Map<string, string | string[]>();
    for (const [key, value] of Object.entries(request.context)) present.set(key.toLowerCase(), value);
    const absent = new Set((request.absentKeys ?? []).map(key => key.toLowerCase()));
    const lookup = (key: string): KeyValue => {
        const lower = key.toLowerCase();
        const value = present.get(lower);
        if (value !== undefined) return { state: "present", value };
        return absent.has(lower) ? { state: "absent" } : { state: "unknown" };
    };
    lookups.set(request.context, { absentKeys: request.absentKeys, lookup });
    return lookup;
}
