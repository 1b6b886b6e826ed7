/**
 * Resource patterns against sets of S3 keys, decided exactly rather than by trying sample names.
 *
 * A key set is either one ARN, or every ARN `base + w` with `w` a non-empty string (every key under
 * a prefix: S3 keys are never empty, so "under the bucket" starts one character after its `/`).
 * A resource pattern is compiled to a glob over the whole ARN with IAM's rules: `*` matches any run
 * of characters, `?` exactly one (never zero); in a pattern of six or more colon-separated parts the
 * wildcards of the first five parts stay inside their part (they never match `:`), and a `*` ending
 * a shorter pattern (`arn:aws:s3:*`) spans everything.
 *
 * Deciding "does some key of the set match" (a Deny that can hit) and "does every key of the set
 * match one of these patterns" (Allows that cover) is a walk over the product of the patterns'
 * automata, run on the suffix after `base`: characters that no pattern names behave alike, so one
 * stands for all, and the walk visits finitely many states. Regular-expression libraries answer
 * membership of one string, not containment of an infinite set, hence the small automaton here; a
 * property test checks it against the evaluator's own matcher on every short key.
 */

import { splitVariables, type KeyLookup } from "./wildcards";

type Token = { kind: "char"; char: string } | { kind: "any" | "star"; crossesColon: boolean };

/** A compiled resource pattern. */
export interface Glob {
    tokens: Token[];
    /** The states after reading a text, for the texts it was run on (the same bases come back for every request). */
    runs: Map<string, number[]>;
}

export type KeySet = { kind: "one"; arn: string } | { kind: "under"; base: string };

/** A statement's Resource (`negated: false`) or NotResource (`negated: true`) element. */
export interface ResourceMatcher {
    globs: Glob[];
    negated: boolean;
}

const compiled = new Map<string, Glob>();

/**
 * Compiles a resource pattern, its policy variables resolved from the request (when `variables` is
 * on: only in `2012-10-17` documents) into text that is never a wildcard. Undefined when a variable
 * can't be resolved. A pattern with five or more colons outside variables has part-bound wildcards.
 */
export function resourceGlob(pattern: string, lookup: KeyLookup, variables: boolean): Glob | undefined {
    const cacheable = !variables || !pattern.includes("${");
    const cached = cacheable ? compiled.get(pattern) : undefined;
    if (cached) return cached;
    const segments = splitVariables(pattern, lookup, variables);
    if (!segments) return undefined;
    const colons = segments.reduce((n, s) => n + (s.fromVariable ? 0 : s.text.split(":").length - 1), 0);
    const tokens: Token[] = [];
    let seen = 0;
    for (const segment of segments) {
        for (const char of segment.text) {
            const crossesColon = colons < 5 || seen >= 5;
            if (segment.fromVariable) tokens.push({ kind: "char", char });
            else if (char === "*") tokens.push({ kind: "star", crossesColon });
            else if (char === "?") tokens.push({ kind: "any", crossesColon });
            else {
                if (char === ":") seen++;
                tokens.push({ kind: "char", char });
            }
        }
    }
    const glob = { tokens, runs: new Map() };
    if (cacheable) compiled.set(pattern, glob);
    return glob;
}

/** The states an automaton is in: sorted positions in the token list (n = the whole pattern matched). */
type States = number[];

/** Position i, and every position after stars from i on (a star may match nothing). */
function withStars(glob: Glob, into: Set<number>, i: number): void {
    into.add(i);
    while (i < glob.tokens.length && glob.tokens[i].kind === "star") into.add(++i);
}

function closure(glob: Glob, states: Iterable<number>): States {
    const out = new Set<number>();
    for (const s of states) withStars(glob, out, s);
    return out.size <= 1 ? [...out] : [...out].sort((a, b) => a - b);
}

function step(glob: Glob, states: States, char: string): States {
    const out = new Set<number>();
    for (const s of states) {
        const token = glob.tokens[s];
        if (token === undefined) continue;
        if (token.kind === "char") {
            if (token.char === char) withStars(glob, out, s + 1);
        } else if (token.crossesColon || char !== ":") withStars(glob, out, token.kind === "star" ? s : s + 1);
    }
    return out.size <= 1 ? [...out] : [...out].sort((a, b) => a - b);
}

function accepts(glob: Glob, states: States): boolean {
    return states.length > 0 && states[states.length - 1] === glob.tokens.length;
}

const MAX_RUNS_KEPT = 64;

function run(glob: Glob, text: string): States {
    const known = glob.runs.get(text);
    if (known) return known;
    let states = closure(glob, [0]);
    for (let i = 0; i < text.length && states.length > 0; i++) states = step(glob, states, text[i]);
    if (glob.runs.size >= MAX_RUNS_KEPT) glob.runs.clear();
    glob.runs.set(text, states);
    return states;
}

/** Whether one ARN matches the pattern. */
export function globMatches(glob: Glob, arn: string): boolean {
    return accepts(glob, run(glob, arn));
}

/** Whether a key is in the set a statement's resource element selects. */
function matcherAccepts(matcher: ResourceMatcher, inside: boolean[]): boolean {
    return inside.some(Boolean) !== matcher.negated;
}

/** Stops the walk on pathological patterns: the answer is then "undecided", which callers treat fail-safe. */
const MAX_STATES = 20_000;

export type Search = { found: string } | { found: undefined; decided: true } | { found: undefined; decided: false };

/**
 * The shortest key of the set whose vector of "selected by matcher i" satisfies `wanted`, or none.
 * Every matcher is a union of globs, possibly negated (NotResource).
 */
export function findKey(set: KeySet, matchers: ResourceMatcher[], wanted: (selected: boolean[]) => boolean): Search {
    const selected = (states: States[][]) =>
        matchers.map((m, i) =>
            matcherAccepts(
                m,
                m.globs.map((g, j) => accepts(g, states[i][j])),
            ),
        );
    if (set.kind === "one") {
        const states = matchers.map(m => m.globs.map(g => run(g, set.arn)));
        return wanted(selected(states)) ? { found: set.arn } : { found: undefined, decided: true };
    }
    const start = matchers.map(m => m.globs.map(g => run(g, set.base)));
    const answer = obvious(matchers, start, wanted);
    if (answer) return answer;
    const alphabet = representatives(matchers, start);
    const seen = new Set<string>();
    let frontier: Array<{ suffix: string; states: States[][] }> = [{ suffix: "", states: start }];
    while (frontier.length > 0) {
        const next: typeof frontier = [];
        for (const { suffix, states } of frontier) {
            for (const char of alphabet) {
                const moved = states.map((row, i) => row.map((s, j) => (s.length === 0 ? s : step(matchers[i].globs[j], s, char))));
                const key = moved.map(row => row.map(s => s.join(",")).join(";")).join("|");
                if (seen.has(key)) continue;
                seen.add(key);
                if (seen.size > MAX_STATES) return { found: undefined, decided: false };
                const word = suffix + char;
                if (wanted(selected(moved))) return { found: set.base + word };
                next.push({ suffix: word, states: moved });
            }
        }
        frontier = next;
    }
    return { found: undefined, decided: true };
}

/**
 * The common cases, answered without the walk: no pattern can still match after the base (every
 * key is selected by the negated matchers only), or one pattern matches every suffix from here on
 * (it ends in `*` right after the base).
 */
function obvious(matchers: ResourceMatcher[], start: States[][], wanted: (selected: boolean[]) => boolean): Search | undefined {
    const live = start.map((row, i) => row.some((states, j) => states.some(s => s < matchers[i].globs[j].tokens.length)));
    const everything = start.map((row, i) => row.some((states, j) => states.some(s => onlyStars(matchers[i].globs[j], s))));
    if (!live.every((l, i) => !l || everything[i])) return undefined;
    // Every matcher now selects all keys or none: one answer for every key.
    const selected = matchers.map((m, i) => everything[i] !== m.negated);
    return wanted(selected) ? undefined : { found: undefined, decided: true };
}

function onlyStars(glob: Glob, from: number): boolean {
    if (from >= glob.tokens.length) return false;
    for (let i = from; i < glob.tokens.length; i++) {
        const t = glob.tokens[i];
        if (t.kind !== "star" || !t.crossesColon) return false;
    }
    return true;
}

/**
 * One character per class of characters the patterns can tell apart: each literal they name, `:`
 * (which part-bound wildcards refuse), and one character none of them names.
 */
function representatives(matchers: ResourceMatcher[], start: States[][]): string[] {
    const named = new Set<string>([":"]);
    matchers.forEach((m, i) =>
        m.globs.forEach((g, j) => {
            // Only what is left to match after the set's base can tell keys apart.
            const from = start[i][j].length > 0 ? start[i][j][0] : g.tokens.length;
            for (const t of g.tokens.slice(from)) if (t.kind === "char") named.add(t.char);
        }),
    );
    const other = [..."xyzqjkvw0123456789_-"].find(c => !named.has(c)) ?? otherThan(named);
    return [other, ...named];
}

function otherThan(named: Set<string>): string {
    for (let code = 0xa1; ; code++) {
        const char = String.fromCodePoint(code);
        if (!named.has(char)) return char;
    }
}

/** A key of the set the matcher selects, if any. */
export function someKeySelected(set: KeySet, matcher: ResourceMatcher): Search {
    return findKey(set, [matcher], ([hit]) => hit);
}

/** A key of the set no matcher selects, if any: none means the matchers together cover the set. */
export function someKeyMissed(set: KeySet, matchers: ResourceMatcher[]): Search {
    return findKey(set, matchers, hits => !hits.some(Boolean));
}

/** Whether the matcher selects every key of the set. */
export function selectsAll(set: KeySet, matcher: ResourceMatcher): boolean | "unknown" {
    const miss = someKeyMissed(set, [matcher]);
    return miss.found !== undefined ? false : miss.decided ? true : "unknown";
}

/** The keys of `set` under `prefix` (which extends the set's base), or the set itself for one ARN. */
export function narrowed(set: KeySet, prefix: string): KeySet {
    return set.kind === "one" ? set : { kind: "under", base: prefix };
}
