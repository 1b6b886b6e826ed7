/**
 * The search behind the trust proof (trust-proof.ts): which accounts and regions a trust policy's
 * conditions can tell apart, so that every account is covered by evaluating a few real requests.
 *
 * Personalize's `sts:AssumeRole` request carries `aws:SourceAccount` (the account of the
 * Personalize resource acting) and `aws:SourceArn` (that resource's ARN,
 * `arn:<partition>:personalize:<region>:<account>:<type>/<name>`). A trust policy tells accounts
 * apart only through the values and patterns it writes for those two keys, so the 10^12 accounts
 * fall into a few classes that every statement treats alike: the accounts it names, and the
 * accounts each combination of its wildcard patterns matches. `accountWitnesses` finds one account
 * per class that some account really belongs to, exactly (a search over the 12 digits that merges
 * equal pattern states); `regionWitnesses` does the same for the partition's regions, and the ARN
 * groups below for the source ARNs of one account.
 *
 * Policy variables follow the document's `Version` as the evaluator reads it: a statement's
 * `variables` says whether `${...}` in its condition values stands for a request value
 * (`2012-10-17`) or is literal text (`2008-10-17`, no Version), and the patterns below follow it.
 */
import type { Statement } from "../iam";

export const SOURCE_ACCOUNT = "aws:SourceAccount";
export const SOURCE_ARN = "aws:SourceArn";

/** The accounts the search ranges over: AWS accounts are 12 decimal digits; tests use smaller spaces. */
export interface AccountSpace {
    length: number;
    digits: string;
}
export const AWS_ACCOUNTS: AccountSpace = { length: 12, digits: "0123456789" };

/** What the account search follows for each prefix: a state per character, and what it says at the end. */
interface Tracker {
    /** Tells trackers apart: two with the same key move through the same states. */
    readonly key: string;
    start(): number[];
    feed(states: number[], input: string): number[];
    outcome(states: number[]): string;
}

/**
 * How the account compares, as a number, with a numeric condition's value: equal so far, below or
 * above, decided by the first differing digit (accounts have a fixed length). A value with a
 * fraction is compared by its whole part, which splits the accounts at least as finely.
 */
class NumberBound implements Tracker {
    /** `[EQUAL, digits read]` while the prefix equals the bound's, then `[BELOW]` or `[ABOVE]`. */
    private static readonly EQUAL = 0;
    private static readonly BELOW = 1;
    private static readonly ABOVE = 2;

    readonly key: string;

    /** `bound`: the value's whole part, written with as many digits as an account has. */
    constructor(private readonly bound: string) {
        this.key = `#${bound}`;
    }

    start(): number[] {
        return [NumberBound.EQUAL, 0];
    }

    feed(states: number[], input: string): number[] {
        let [mode, read] = states;
        for (const digit of input) {
            if (mode !== NumberBound.EQUAL) break;
            const bound = this.bound[read++];
            if (digit !== bound) mode = digit < bound ? NumberBound.BELOW : NumberBound.ABOVE;
        }
        return mode === NumberBound.EQUAL ? [mode, read] : [mode];
    }

    outcome(states: number[]): string {
        return String(states[0]);
    }
}

/**
 * An IAM string pattern as a set of positions in it, advanced one character at a time, so that the
 * search can tell when two account prefixes leave every pattern in the same state. Hand-written
 * because the search needs the intermediate states, which a RegExp does not expose; the property
 * test checks it against the evaluator's own matching by brute force.
 */
class Pattern implements Tracker {
    private readonly text: string;
    readonly key: string;

    constructor(
        text: string,
        private readonly wildcards: boolean,
        private readonly ignoreCase: boolean,
    ) {
        this.text = ignoreCase ? text.toLowerCase() : text;
        this.key = `${wildcards ? "*" : "="}${ignoreCase ? "i" : "c"}${this.text}`;
    }

    start(): number[] {
        return this.closure([0]);
    }

    feed(states: number[], input: string): number[] {
        let current = states;
        for (const c of input) current = this.step(current, c);
        return current;
    }

    accepts(states: number[]): boolean {
        return states.includes(this.text.length);
    }

    outcome(states: number[]): string {
        return this.accepts(states) ? "1" : "0";
    }

    private step(states: number[], raw: string): number[] {
        const c = this.ignoreCase ? raw.toLowerCase() : raw;
        const next: number[] = [];
        for (const s of states) {
            const p = this.text[s];
            if (p === undefined) continue;
            if (this.wildcards && p === "*") next.push(s);
            else if ((this.wildcards && p === "?") || p === c) next.push(s + 1);
        }
        return this.closure(next);
    }

    private closure(states: number[]): number[] {
        const out = new Set<number>();
        for (let s of states) {
            out.add(s);
            while (this.wildcards && this.text[s] === "*") out.add(++s);
        }
        return [...out].sort((a, b) => a - b);
    }
}

const STRING_OPERATORS = /^String(Not)?(Equals|EqualsIgnoreCase|Like)$/i;
const ARN_OPERATORS = /^Arn(Not)?(Equals|Like)$/i;
const NUMERIC_OPERATORS = /^Numeric/i;
/** The evaluator compares BinaryEquals values as exact text, as StringEquals does. */
const BINARY_OPERATOR = /^BinaryEquals$/i;

interface Patterns {
    /** Patterns the account itself is compared with (aws:SourceAccount values). */
    account: Pattern[];
    /** Patterns the whole source ARN is compared with (aws:SourceArn values). */
    arn: Pattern[];
    /** Where the account stands against each numeric condition's value. */
    numeric: NumberBound[];
}

/**
 * The patterns the conditions compare the source keys with. A value with `${` is left out. In a
 * statement without variables it is literal text that needs a `$`, which no account or source ARN
 * holds, so it compares the same way for every account. With variables, resolved for a real request, `${aws:SourceAccount}` stands
 * for the account itself, which occurs in the source ARN exactly once, between colons, so such a
 * value matches the same way for every account; other variables don't depend on the account.
 */
function sourcePatterns(statements: Statement[], space: AccountSpace, variables: "leave out" | "as wildcards"): Patterns {
    const found: Patterns = { account: [], arn: [], numeric: [] };
    for (const clause of statements.flatMap(s => s.conditions)) {
        const key = clause.key.toLowerCase();
        if (key !== SOURCE_ACCOUNT.toLowerCase() && key !== SOURCE_ARN.toLowerCase()) continue;
        const list = key === SOURCE_ACCOUNT.toLowerCase() ? found.account : found.arn;
        const values =
            variables === "leave out"
                ? clause.values.filter(v => !v.includes("${"))
                : clause.values.map(v => v.replace(/\$\{[^}]*\}/g, "*"));
        for (const value of values) {
            const string = STRING_OPERATORS.exec(clause.baseOperator);
            if (string) list.push(new Pattern(value, string[2].toLowerCase() === "like", /IgnoreCase/i.test(string[2])));
            // ArnLike compares component by component, where a wildcard stays within its
            // component; the ARNs searched have exactly five colons (none in a region, account
            // or resource path), so a pattern with five matches the same way as a whole, and
            // the evaluator leaves a pattern with fewer undecided.
            else if (ARN_OPERATORS.test(clause.baseOperator)) list.push(new Pattern(value, true, false));
            else if (NUMERIC_OPERATORS.test(clause.baseOperator)) found.numeric.push(...numberBound(value, space));
            else if (BINARY_OPERATOR.test(clause.baseOperator)) list.push(new Pattern(value, false, false));
        }
    }
    return found;
}

/**
 * The bound a numeric value sets on accounts; none when every account is on the same side of it
 * (negative, too large) or the evaluator can't read it as a number anyway.
 */
function numberBound(value: string, space: AccountSpace): NumberBound[] {
    const number = Number(value.trim());
    if (value.trim() === "" || !Number.isFinite(number) || number < 0) return [];
    const whole = BigInt(Math.floor(number)).toString();
    return whole.length <= space.length ? [new NumberBound(whole.padStart(space.length, "0"))] : [];
}

/**
 * A tracker's state sets interned as small numbers, with each transition computed once: the walk
 * meets the same few states again and again, and so do the checks of later documents, which write
 * the same patterns (the stack's account and region) again: `interned` keeps one per tracker key.
 */
class Interned {
    private readonly ids = new Map<string, number>();
    private readonly sets: number[][] = [];
    /** `next[id][c]`: the state after UTF-16 code unit `c` from state `id`. */
    private readonly next: number[][] = [];
    private readonly tails = new Map<string, Map<number, string>>();

    readonly key: string;

    constructor(private readonly tracker: Tracker) {
        this.key = tracker.key;
    }

    private startId?: number;

    start(): number {
        return (this.startId ??= this.intern(this.tracker.start()));
    }

    /** By partition, then region (no key string to build: this is asked hundreds of times a check). */
    private readonly prefixes = new Map<string, Map<string, number>>();

    /** The state after a source ARN's part before the account, `arn:<partition>:personalize:<region>:`, remembered: every check asks for the same few. */
    afterRegion(partition: string, region: string): number {
        let byRegion = this.prefixes.get(partition);
        if (byRegion === undefined) this.prefixes.set(partition, (byRegion = new Map()));
        let state = byRegion.get(region);
        if (state === undefined) byRegion.set(region, (state = this.feed(this.start(), `arn:${partition}:personalize:${region}:`)));
        return state;
    }

    step(id: number, code: number): number {
        const row = this.next[id];
        let next = row[code];
        if (next === undefined) row[code] = next = this.intern(this.tracker.feed(this.sets[id], String.fromCharCode(code)));
        return next;
    }

    feed(id: number, input: string): number {
        let current = id;
        for (let i = 0; i < input.length; i++) current = this.step(current, input.charCodeAt(i));
        return current;
    }

    outcome(id: number): string {
        return this.tracker.outcome(this.sets[id]);
    }

    /** The outcome once `tail` is read from state `id`, remembered per tail: every leaf of the walk asks. */
    outcomeAfter(id: number, tail: string): string {
        let byState = this.tails.get(tail);
        if (byState === undefined) this.tails.set(tail, (byState = new Map()));
        let outcome = byState.get(id);
        if (outcome === undefined) byState.set(id, (outcome = this.outcome(this.feed(id, tail))));
        return outcome;
    }

    private intern(states: number[]): number {
        const key = states.join(",");
        let id = this.ids.get(key);
        if (id === undefined) {
            id = this.sets.length;
            this.sets.push(states);
            this.next.push([]);
            this.ids.set(key, id);
        }
        return id;
    }
}

/** At most this many trackers are kept between checks; past it the cache starts again, so memory stays bounded. */
const INTERNED_LIMIT = 1000;
const internedTrackers = new Map<string, Interned>();

function interned(tracker: Tracker): Interned {
    let found = internedTrackers.get(tracker.key);
    if (found === undefined) {
        if (internedTrackers.size >= INTERNED_LIMIT) internedTrackers.clear();
        internedTrackers.set(tracker.key, (found = new Interned(tracker)));
    }
    return found;
}

/** A tracker the account search follows from a start state, and what its state at the end says. */
interface Lane {
    tracker: Interned;
    start: number;
    outcome: (state: number) => string;
}

/**
 * One account per class of accounts the trust's source patterns can't tell apart, for Personalize
 * resources at `resources` (type/name) in each of `regions`: a depth-first walk over the account's
 * digits that keeps, for every pattern (and every region, for the source ARN's), the positions it
 * can be at; two prefixes that leave every pattern in the same state have the same futures, so only
 * the first is followed. At the end each pattern says whether it matched (for each resource); the
 * first account reaching each combination is its witness. `accounts` (the stack's own) are
 * patterns too, so that they get classes of their own and every other witness differs.
 */
export function accountWitnesses(
    statements: Statement[],
    sources: { partition: string; regions: string[]; resources: string[] },
    accounts: string[],
    space: AccountSpace = AWS_ACCOUNTS,
): string[] {
    const patterns = sourcePatterns(statements, space, "leave out");
    const digits = [...space.digits].map(d => d.charCodeAt(0));
    const after = sources.resources.map(resource => `:${resource}`);
    // What the walk follows: a tracker from a start state, and what its last state says. A lane
    // that another already follows (the same tracker from the same state), or that no digit moves
    // (a pattern a region's ARN prefix already failed), says the same of every account: left out.
    const lanes = new Map<string, Lane>();
    const follow = (kind: string, tracker: Interned, start: number, outcome: (state: number) => string) => {
        if (digits.every(d => tracker.step(start, d) === start)) return;
        lanes.set(`${kind} ${tracker.key} ${start}`, { tracker, start, outcome });
    };
    for (const tracker of [...patterns.account, ...patterns.numeric, ...accounts.map(a => new Pattern(a, false, false))].map(interned)) {
        follow("account", tracker, tracker.start(), state => tracker.outcome(state));
    }
    // One tracker per ARN pattern, shared by every region, started after each region's ARN prefix.
    for (const tracker of patterns.arn.map(interned)) {
        for (const region of sources.regions) {
            follow("arn", tracker, tracker.afterRegion(sources.partition, region), state =>
                after.map(tail => tracker.outcomeAfter(state, tail)).join(""),
            );
        }
    }
    const followed = [...lanes.values()];
    const seen = new Set<string>();
    const witnesses = new Map<string, string>();
    const walk = (prefix: string, states: number[]) => {
        // State ids are small numbers: one character each makes the cheapest key.
        const key = String.fromCharCode(prefix.length, ...states);
        if (seen.has(key)) return;
        seen.add(key);
        if (prefix.length === space.length) {
            // Each lane says a fixed number of characters, so the concatenation tells combinations apart.
            let signature = "";
            for (let i = 0; i < followed.length; i++) signature += followed[i].outcome(states[i]);
            if (!witnesses.has(signature)) witnesses.set(signature, prefix);
            return;
        }
        for (const digit of digits) {
            const next = new Array<number>(followed.length);
            for (let i = 0; i < followed.length; i++) next[i] = followed[i].tracker.step(states[i], digit);
            walk(prefix + String.fromCharCode(digit), next);
        }
    };
    walk(
        "",
        followed.map(lane => lane.start),
    );
    return [...witnesses.values()];
}

/** Regions Personalize resources may sit in, per partition: the candidates `regionWitnesses` groups. */
const PARTITION_REGIONS: Record<string, string[]> = {
    aws: [
        "us-east-1",
        "us-east-2",
        "us-west-1",
        "us-west-2",
        "ca-central-1",
        "sa-east-1",
        "eu-west-1",
        "eu-west-2",
        "eu-west-3",
        "eu-central-1",
        "eu-north-1",
        "eu-south-1",
        "me-south-1",
        "af-south-1",
        "ap-south-1",
        "ap-east-1",
        "ap-northeast-1",
        "ap-northeast-2",
        "ap-northeast-3",
        "ap-southeast-1",
        "ap-southeast-2",
    ],
    "aws-cn": ["cn-north-1", "cn-northwest-1"],
    "aws-us-gov": ["us-gov-west-1", "us-gov-east-1"],
};
const REGION = /^[a-z]{2}(-gov)?-[a-z]+-\d+$/;

/**
 * The regions to try Personalize's requests from: the stack's, every region the trust names, and
 * one of each group of the partition's regions that the trust's ARN patterns can't tell apart
 * (a policy variable counted as a wildcard here, so that a region next to it is told apart).
 */
export function regionWitnesses(
    statements: Statement[],
    partition: string,
    stackRegion: string | undefined,
    candidates = PARTITION_REGIONS[partition] ?? [],
): string[] {
    const named = statements
        .flatMap(s => s.conditions)
        .filter(c => c.key.toLowerCase() === SOURCE_ARN.toLowerCase())
        .flatMap(c => c.values.map(v => v.split(":")[3]))
        .filter((r): r is string => r !== undefined && REGION.test(r));
    const arnPatterns = sourcePatterns(statements, AWS_ACCOUNTS, "as wildcards").arn.map(interned);
    const groups = new Map<string, string>();
    for (const region of candidates) {
        const key = arnPatterns.map(p => p.afterRegion(partition, region)).join(",");
        if (!groups.has(key)) groups.set(key, region);
    }
    return [...new Set([...(stackRegion ? [stackRegion] : []), ...named, ...groups.values()])];
}

/** Where a Personalize request may come from: a region and a resource path (`<type>/<name>`). */
export interface Source {
    region: string;
    resource: string;
}

const SOURCE_ACCOUNT_VARIABLE = /\$\{\s*aws:SourceAccount\s*\}/gi;

/**
 * For a document: one of each group of an account's source ARNs that every aws:SourceArn pattern
 * treats alike, with `${aws:SourceAccount}` resolved to the account: their requests differ in
 * nothing else a condition can see, so they get the same verdict and one of them is evaluated. With
 * any other variable in a pattern, every ARN is kept. In a statement without variables `${...}` is
 * literal text, as written. The patterns are read once unless they name the account.
 */
export function distinctArns(statements: Statement[], partition: string): (account: string, sources: Source[]) => Source[] {
    const arnValues = statements
        .filter(s => s.variables)
        .flatMap(s => s.conditions.filter(c => c.key.toLowerCase() === SOURCE_ARN.toLowerCase()).flatMap(c => c.values));
    if (otherArnVariables(arnValues)) return (_, sources) => sources;
    const trackersFor = (account: string) =>
        sourcePatterns(resolveSourceAccount(statements, account), AWS_ACCOUNTS, "leave out").arn.map(interned);
    const fixed = arnValues.some(v => v.replace(SOURCE_ACCOUNT_VARIABLE, "0") !== v) ? undefined : trackersFor("");
    const fixedSignature = fixed && arnSignatures(fixed, partition);
    return (account, sources) => {
        const signature = fixedSignature ?? arnSignatures(trackersFor(account), partition);
        return firstOfEach(sources, source => signature(account, source));
    };
}

/** Whether aws:SourceArn values hold a policy variable other than `${aws:SourceAccount}` (digits stand in for the account). */
function otherArnVariables(arnValues: string[]): boolean {
    return arnValues.some(v => v.replace(SOURCE_ACCOUNT_VARIABLE, "0").includes("${"));
}

/**
 * What each pattern tracker says of a source ARN, `account` at `source`: the states after the
 * account are kept per account and region, since a check asks for every resource of each.
 */
function arnSignatures(trackers: Interned[], partition: string): (account: string, source: Source) => string {
    const afterAccount = new Map<string, number[]>();
    return (account, source) => {
        const key = `${account}:${source.region}`;
        let states = afterAccount.get(key);
        if (states === undefined) {
            states = trackers.map(t => t.feed(t.afterRegion(partition, source.region), account));
            afterAccount.set(key, states);
        }
        const tail = `:${source.resource}`;
        let signature = "";
        for (let i = 0; i < trackers.length; i++) signature += trackers[i].outcomeAfter(states[i], tail);
        return signature;
    };
}

/** The first item of each group of items with the same key, in their order. */
export function firstOfEach<T>(items: T[], key: (item: T) => string): T[] {
    const groups = new Map<string, T>();
    for (const item of items) {
        const k = key(item);
        if (!groups.has(k)) groups.set(k, item);
    }
    return [...groups.values()];
}

const PATTERN_OPERATORS = /^(String(Not)?(Equals|EqualsIgnoreCase|Like)|Arn(Not)?(Equals|Like)|BinaryEquals|Null)$/i;

/**
 * For Personalize's requests without aws:SourceAccount: what tells their source ARNs apart, to try
 * one of each group that every aws:SourceArn pattern treats alike. Without the account, a
 * condition sees the ARN only through those patterns, so a group gets one verdict. Undefined, so
 * that every ARN is tried, when something else could see it: an aws:SourceArn operator the
 * patterns don't model (the others can't read an ARN, but the evaluator, not this file, says so),
 * or a policy variable in an aws:SourceArn value other than `${aws:SourceAccount}` (which can't
 * resolve without the key). `${aws:SourceArn}` in another key's value is compared with fixed values
 * (the service's name, the role's ARN) that no source ARN equals.
 */
export function arnGroupsWithoutAccount(
    statements: Statement[],
    partition: string,
): ((account: string, source: Source) => string) | undefined {
    const arnClauses = statements.flatMap(s => s.conditions.filter(c => c.key.toLowerCase() === SOURCE_ARN.toLowerCase()));
    const arnValues = statements
        .filter(s => s.variables)
        .flatMap(s => s.conditions.filter(c => c.key.toLowerCase() === SOURCE_ARN.toLowerCase()).flatMap(c => c.values));
    const decided = arnClauses.every(c => PATTERN_OPERATORS.test(c.baseOperator)) && !otherArnVariables(arnValues);
    return decided ? arnSignatures(sourcePatterns(statements, AWS_ACCOUNTS, "leave out").arn.map(interned), partition) : undefined;
}

/** The statements with `${aws:SourceAccount}` resolved to `account` where it is a policy variable. */
function resolveSourceAccount(statements: Statement[], account: string): Statement[] {
    return statements.map(s =>
        s.variables
            ? {
                  ...s,
                  conditions: s.conditions.map(c => ({ ...c, values: c.values.map(v => v.replace(SOURCE_ACCOUNT_VARIABLE, account)) })),
              }
            : s,
    );
}
