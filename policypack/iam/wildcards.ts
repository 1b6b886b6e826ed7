/**
 * IAM string patterns: `*` and `?` wildcards and `${...}` policy variables.
 *
 * A policy variable is replaced by the request's value for that key (or the `${key, 'default'}`
 * default when the key is known to be absent); its text is always taken literally, never as a
 * wildcard. `${*}`, `${?}` and `${$}` stand for the literal characters. A variable whose value is
 * unknown, multi-valued, or absent without a default cannot be resolved: callers get `undefined`
 * and must treat the comparison as undetermined.
 *
 * Variables exist only in `2012-10-17` documents; in `2008-10-17` or without a Version, IAM takes
 * `${...}` as literal text (IAM User Guide, "IAM JSON policy elements: Version"), so every function
 * here takes `variables` = whether the document's Version allows them.
 */

export type KeyValue = { state: "present"; value: string | string[] } | { state: "absent" } | { state: "unknown" };

/** Looks up a request context key (case-insensitively). */
export type KeyLookup = (key: string) => KeyValue;

const VARIABLE = /\$\{([^}]*)\}/g;
const LITERAL_ESCAPES: Record<string, string> = { "*": "*", "?": "?", $: "$" };
/** Compiled patterns without variables, by case sensitivity then pattern text. */
const compiled = { sensitive: new Map<string, RegExp>(), insensitive: new Map<string, RegExp>() };

/** Resolves policy variables in `text`, treating `*` and `?` as ordinary characters. */
export function resolveText(text: string, lookup: KeyLookup, variables: boolean): string | undefined {
    return substitute(
        text,
        lookup,
        variables,
        literal => literal,
        value => value,
    );
}

/** `text` cut into its literal text and the values of its variables, or undefined if one can't be resolved. */
export function splitVariables(
    text: string,
    lookup: KeyLookup,
    variables: boolean,
): Array<{ text: string; fromVariable: boolean }> | undefined {
    const segments: Array<{ text: string; fromVariable: boolean }> = [];
    const resolved = substitute(
        text,
        lookup,
        variables,
        literal => (segments.push({ text: literal, fromVariable: false }), ""),
        value => (segments.push({ text: value, fromVariable: true }), ""),
    );
    return resolved === undefined ? undefined : segments;
}

/**
 * Compiles an IAM wildcard pattern (after resolving policy variables) into an anchored RegExp;
 * `*` matches any run of characters (including `/` and `:`), `?` exactly one.
 */
export function wildcardPattern(pattern: string, lookup: KeyLookup, ignoreCase: boolean, variables: boolean): RegExp | undefined {
    const cache = ignoreCase ? compiled.insensitive : compiled.sensitive;
    const cached = cache.get(pattern);
    if (cached && (!variables || !pattern.includes("${"))) return cached;
    const cacheable = !variables || !pattern.includes("${");
    const source = substitute(pattern, lookup, variables, globToRegexSource, escapeRegex);
    if (source === undefined) return undefined;
    const regex = new RegExp(`^${source}$`, ignoreCase ? "is" : "s");
    if (cacheable) cache.set(pattern, regex);
    return regex;
}

function substitute(
    text: string,
    lookup: KeyLookup,
    variables: boolean,
    literal: (s: string) => string,
    variable: (s: string) => string,
): string | undefined {
    if (!variables) return literal(text);
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
