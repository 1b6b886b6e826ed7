/**
 * IAM string patterns: `*` and `?` wildcards and `${...}` policy variables.
 *
 * A policy variable is replaced by the request's value for that key (or the `${key, 'default'}`
 * default when the key is known to be absent); its text is always taken literally, never as a
 * wildcard. `${*}`, `${?}` and `${$}` stand for the literal characters. A variable whose value is
 * unknown, multi-valued, or absent without a default cannot be resolved: callers get `undefined`
 * and must treat the comparison as undetermined.
 */

export type KeyValue = { state: "present"; value: string | string[] } | { state: "absent" } | { state: "unknown" };

/** Looks up a request context key (case-insensitively). */
export type KeyLookup = (key: string) => KeyValue;

const VARIABLE = /\$\{([^}]*)\}/g;
const LITERAL_ESCAPES: Record<string, string> = { "*": "*", "?": "?", $: "$" };
const compiled = new Map<string, RegExp>();

/** Resolves policy variables in `text`, treating `*` and `?` as ordinary characters. */
export function resolveText(text: string, lookup: KeyLookup): string | undefined {
    return substitute(
        text,
        lookup,
        literal => literal,
        value => value,
    );
}

/**
 * Compiles an IAM wildcard pattern (after resolving policy variables) into an anchored RegExp;
 * `*` matches any run of characters (including `/` and `:`), `?` exactly one.
 */
export function wildcardPattern(pattern: string, lookup: KeyLookup, ignoreCase: boolean): RegExp | undefined {
    const cacheable = !pattern.includes("${");
    const cacheKey = `${ignoreCase ? "i" : "s"}${pattern}`;
    const cached = cacheable ? compiled.get(cacheKey) : undefined;
    if (cached) return cached;
    const source = substitute(pattern, lookup, globToRegexSource, escapeRegex);
    if (source === undefined) return undefined;
    const regex = new RegExp(`^${source}$`, ignoreCase ? "is" : "s");
    if (cacheable) compiled.set(cacheKey, regex);
    return regex;
}

function substitute(text: string, lookup: KeyLookup, literal: (s: string) => string, variable: (s: string) => string): string | undefined {
    let out = "";
    let last = 0;
    for (const match of text.matchAll(VARIABLE)) {
        const value = variableValue(match[1], lookup);
        if (value === undefined) return undefined;
        out += literal(text.slice(last, match.index)) + variable(value);
        last = match.index + match[0].length;
    }
    return out + literal(text.slice(last));
}

function variableValue(body: string, lookup: KeyLookup): string | undefined {
    const trimmed = body.trim();
    if (trimmed in LITERAL_ESCAPES) return LITERAL_ESCAPES[trimmed];
    const withDefault = /^([^,]+),\s*'([^']*)'$/.exec(trimmed);
    const key = withDefault ? withDefault[1].trim() : trimmed;
    const found = lookup(key);
    if (found.state === "present") return typeof found.value === "string" ? found.value : undefined;
    if (found.state === "absent" && withDefault) return withDefault[2];
    return undefined;
}

function globToRegexSource(literal: string): string {
    return literal
        .split("")
        .map(c => (c === "*" ? ".*" : c === "?" ? "." : escapeRegex(c)))
        .join("");
}

function escapeRegex(text: string): string {
    return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}
