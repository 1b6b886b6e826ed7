/**
 * Evaluates one policy document's statements for a request on a SET of keys (every key under a
 * prefix, or one ARN): is the request allowed for every key of the set? With IAM's rules, like
 * `evaluate`, and the same fail-safe three-valued logic:
 *  - a Deny that applies or might apply (undetermined condition, unresolvable resource variable)
 *    and whose resource can match SOME key of the set denies;
 *  - otherwise the request is allowed only if the Allows that certainly apply together cover EVERY
 *    key of the set (their Resource and NotResource decided exactly by key-sets.ts).
 * Principal, action and conditions don't depend on the key (the request context is the same for
 * every key), so they are decided once per statement; and since one request is judged in several
 * contexts, what doesn't depend on the context (principal, action, a resource without variables,
 * where a Deny hits, whether a group of Allows covers the set) is worked out once for all of them.
 */
import type { Truth } from "./conditions";
import type { Statement } from "./document";
import {
    and,
    conditionsHold,
    contextLookup,
    principalAndActionMatch,
    resourceMatcher,
    type Decision,
    type EvaluationKind,
    type RequestEnvelope,
} from "./evaluate";
import { findKey, someKeyMissed, someKeySelected, type KeySet, type ResourceMatcher, type Search } from "./key-sets";
import type { KeyLookup } from "./wildcards";

export interface KeySetRequest extends Omit<RequestEnvelope, "resource"> {
    keys: KeySet;
}

/** Where a Deny hits: every key under `prefix`, or at least the key `example`. */
export interface DenyHit {
    statement: Statement;
    /** False when the statement's condition or resource could not be decided (it might not apply). */
    certain: boolean;
    prefix?: string;
    example?: string;
}

export interface KeySetVerdict {
    decision: Decision;
    deniedBy: DenyHit[];
    /** For an implicit deny: a key of the set no certain Allow covers; undefined when none covers any. */
    missed?: string;
    /** Allows that might cover keys but could not be shown to apply. */
    undeterminedAllows: Statement[];
}

export type RequestContext = Pick<RequestEnvelope, "context" | "absentKeys">;

export function evaluateKeys(statements: Statement[], request: KeySetRequest, kind: EvaluationKind): KeySetVerdict {
    return new KeySetJudge(statements, request, kind).verdict(request);
}

/** One request on one key set, judged in as many contexts as asked. */
export class KeySetJudge {
    private readonly fixed: Truth[];
    /** The statements whose principal and action may match: only their conditions can matter. */
    readonly applicable: Statement[];
    private readonly applicableIndices: number[];
    private readonly resources = new Map<Statement, { matcher?: ResourceMatcher; hit?: Hit }>();
    private readonly coverage = new Map<string, Search>();

    constructor(
        private readonly statements: Statement[],
        private readonly request: Omit<KeySetRequest, "context" | "absentKeys">,
        kind: EvaluationKind,
    ) {
        this.fixed = statements.map(s => principalAndActionMatch(s, request, kind));
        this.applicableIndices = statements.map((_, i) => i).filter(i => this.fixed[i] !== false);
        this.applicable = this.applicableIndices.map(i => statements[i]);
    }

    verdict(context: RequestContext): KeySetVerdict {
        const lookup = contextLookup(context);
        const deniedBy: DenyHit[] = [];
        const allows: number[] = [];
        const undeterminedAllows: Statement[] = [];
        this.applicableIndices.forEach(i => {
            const statement = this.statements[i];
            const applies = and(this.fixed[i], () => conditionsHold(statement, lookup));
            if (applies === false) return;
            const { matcher, hit } = this.resource(statement, lookup);
            if (statement.effect === "Deny") {
                if (hit) deniedBy.push({ statement, certain: applies === true && hit.decided, ...hit.at });
            } else if (applies === true && matcher) allows.push(i);
            else undeterminedAllows.push(statement);
        });
        if (deniedBy.length > 0) return { decision: "ExplicitDeny", deniedBy, undeterminedAllows };
        if (allows.length === 0) return { decision: "ImplicitDeny", deniedBy, undeterminedAllows };
        const miss = this.missed(allows, lookup);
        if (miss.found === undefined && miss.decided) return { decision: "Allowed", deniedBy, undeterminedAllows };
        // A key to name only when some keys are allowed: otherwise the whole set is what is missing.
        const some = findKey(
            this.request.keys,
            allows.map(i => this.resource(this.statements[i], lookup).matcher!),
            hits => hits.some(Boolean),
        );
        const missed = some.found !== undefined ? miss.found : undefined;
        return { decision: "ImplicitDeny", deniedBy, ...(missed !== undefined && { missed }), undeterminedAllows };
    }

    /** The statement's resource matcher and where it meets the set (undefined: nowhere); kept unless it has variables. */
    private resource(statement: Statement, lookup: KeyLookup): { matcher?: ResourceMatcher; hit?: Hit } {
        const known = this.resources.get(statement);
        if (known) return known;
        const matcher = resourceMatcher(statement, lookup);
        const result = { matcher, hit: matcher ? where(this.request.keys, matcher) : { at: {}, decided: false } };
        if (!hasVariables(statement)) this.resources.set(statement, result);
        return result;
    }

    private missed(allows: number[], lookup: KeyLookup): Search {
        const matchers = allows.map(i => this.resource(this.statements[i], lookup).matcher!);
        const cacheable = allows.every(i => !hasVariables(this.statements[i]));
        const key = allows.join(",");
        const known = cacheable ? this.coverage.get(key) : undefined;
        if (known) return known;
        const miss = someKeyMissed(this.request.keys, matchers);
        if (cacheable) this.coverage.set(key, miss);
        return miss;
    }
}

function hasVariables(statement: Statement): boolean {
    return statement.variables && [...(statement.resource ?? []), ...(statement.notResource ?? [])].some(p => p.includes("${"));
}

type Hit = { at: { prefix?: string; example?: string }; decided: boolean };

/**
 * Where a Deny's resource meets the set: the shortest prefix of the first key it hits under which
 * it hits every key (the folder it denies), else that key. Undecided walks count as a hit.
 */
function where(set: KeySet, matcher: ResourceMatcher): Hit | undefined {
    const hit = someKeySelected(set, matcher);
    if (hit.found === undefined) return hit.decided ? undefined : { at: {}, decided: false };
    if (set.kind === "one") return { at: { example: hit.found }, decided: true };
    for (let end = set.base.length; end <= hit.found.length; end++) {
        const prefix = hit.found.slice(0, end);
        const miss = findKey({ kind: "under", base: prefix }, [matcher], ([selected]) => !selected);
        if (miss.found === undefined && miss.decided) return { at: { prefix }, decided: true };
    }
    return { at: { example: hit.found }, decided: true };
}
