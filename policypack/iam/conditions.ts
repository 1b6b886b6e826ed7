/**
 * Condition operators, evaluated with IAM's rules and three-valued logic.
 *
 * A clause is `true`, `false` or `'unknown'`. It is unknown when its key is neither present in nor
 * known to be absent from the request, when its operator is not one IAM defines, when a policy
 * variable in its values cannot be resolved, when a single-valued operator meets a multi-valued
 * request value (IAM expects a set operator there), and for `ForAnyValue:…IfExists` on an absent key
 * (IAM documents both "ForAnyValue is false with no values" and "IfExists is true when absent" and
 * does not say which wins), and when a value is not what the operator compares (a number, date,
 * boolean, IP range or ARN), since IAM gives no rule for a negated operator on such a value.
 * The evaluator turns "unknown" into the stricter verdict.
 */
import type { ConditionClause } from "./document";
import { resolveText, wildcardPattern, type KeyLookup } from "./wildcards";

export type Truth = boolean | "unknown";

type ValueTest = (requestValue: string, policyValue: string, lookup: KeyLookup, variables: boolean) => Truth;

const POSITIVE_TESTS: Record<string, ValueTest> = {
    stringequals: literal((r, p) => r === p),
    stringequalsignorecase: literal((r, p) => r.toLowerCase() === p.toLowerCase()),
    stringlike: (r, p, l, v) => known(wildcardPattern(p, l, false, v), re => re.test(r)),
    numericequals: numeric((a, b) => a === b),
    numericlessthan: numeric((a, b) => a < b),
    numericlessthanequals: numeric((a, b) => a <= b),
    numericgreaterthan: numeric((a, b) => a > b),
    numericgreaterthanequals: numeric((a, b) => a >= b),
    dateequals: dated((a, b) => a === b),
    datelessthan: dated((a, b) => a < b),
    datelessthanequals: dated((a, b) => a <= b),
    dategreaterthan: dated((a, b) => a > b),
    dategreaterthanequals: dated((a, b) => a >= b),
    bool: (r, p) => (isBoolean(r) && isBoolean(p) ? r.toLowerCase() === p.toLowerCase() : "unknown"),
    binaryequals: (r, p) => r === p,
    ipaddress: ipInRange,
    arnequals: arnMatches,
    arnlike: arnMatches,
};

/** Negated operators are true exactly when their positive twin matches none of the values. */
const NEGATED_TWINS: Record<string, string> = {
    stringnotequals: "stringequals",
    stringnotequalsignorecase: "stringequalsignorecase",
    stringnotlike: "stringlike",
    numericnotequals: "numericequals",
    datenotequals: "dateequals",
    notipaddress: "ipaddress",
    arnnotequals: "arnequals",
    arnnotlike: "arnlike",
};

function isKnownOperator(name: string): boolean {
    return name === "null" || name in POSITIVE_TESTS || name in NEGATED_TWINS;
}

const lowerCase = new Map<string, string>();

/** Operator names in lower case, computed once per spelling (conditions are evaluated in many contexts). */
function operatorName(baseOperator: string): string {
    let name = lowerCase.get(baseOperator);
    if (name === undefined) lowerCase.set(baseOperator, (name = baseOperator.toLowerCase()));
    return name;
}

/** `variables`: whether the document's Version lets `${...}` in the values stand for request values. */
export function evaluateCondition(clause: ConditionClause, lookup: KeyLookup, variables: boolean): Truth {
    const name = operatorName(clause.baseOperator);
    if (!isKnownOperator(name)) return "unknown";
    const found = lookup(clause.key);
    if (found.state === "unknown") return "unknown";
    if (name === "null") {
        const wanted = String(found.state === "absent");
        return clause.values.some(v => v.toLowerCase() === wanted);
    }
    const negated = name in NEGATED_TWINS;
    const test = POSITIVE_TESTS[negated ? NEGATED_TWINS[name] : name];
    const holdsFor = (requestValue: string): Truth => {
        const anyMatch = any(clause.values, policyValue => test(requestValue, policyValue, lookup, variables));
        return negated ? not(anyMatch) : anyMatch;
    };

    if (found.state === "absent") {
        if (clause.set === "ForAllValues") return true;
        if (clause.set === "ForAnyValue") return clause.ifExists ? "unknown" : false;
        return clause.ifExists || negated;
    }
    const requestValues = found.value;
    if (clause.set === "ForAllValues") return every([requestValues].flat(), holdsFor);
    if (clause.set === "ForAnyValue") return any([requestValues].flat(), holdsFor);
    return typeof requestValues === "string" ? holdsFor(requestValues) : "unknown";
}

export function any<T>(items: readonly T[], test: (item: T) => Truth): Truth {
    let result: Truth = false;
    for (const item of items) {
        const outcome = test(item);
        if (outcome === true) return true;
        if (outcome === "unknown") result = "unknown";
    }
    return result;
}

export function every<T>(items: readonly T[], test: (item: T) => Truth): Truth {
    return not(any(items, item => not(test(item))));
}

export function not(value: Truth): Truth {
    return value === "unknown" ? "unknown" : !value;
}

function known<T>(value: T | undefined, test: (value: T) => Truth): Truth {
    return value === undefined ? "unknown" : test(value);
}

/**
 * For string operators without wildcards: policy variables resolve to plain text first. Variables
 * work only in Resource and in string and ARN comparisons (IAM User Guide, "Policy variables":
 * where you can use them); in a numeric, date, Bool, binary or IP operator `${...}` is literal
 * text, which those operators can't read, so the clause is undetermined.
 */
function literal(test: (requestValue: string, policyValue: string) => Truth): ValueTest {
    return (r, p, l, v) => known(resolveText(p, l, v), resolved => test(r, resolved));
}

type Comparison = (request: number, policy: number) => boolean;

function numeric(compare: Comparison) {
    return comparing(parseNumber, compare);
}

function dated(compare: Comparison) {
    return comparing(parseDate, compare);
}

/** Compares both values as read by `parse`; one it can't read leaves the test undetermined. */
function comparing(parse: (text: string) => number | undefined, compare: Comparison) {
    return (r: string, p: string): Truth => {
        const a = parse(r);
        const b = parse(p);
        return a === undefined || b === undefined ? "unknown" : compare(a, b);
    };
}

function parseNumber(text: string): number | undefined {
    return /^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(text.trim()) ? Number(text) : undefined;
}

/** IAM dates are ISO 8601 (e.g. `2026-01-01T00:00:00Z`) or epoch seconds. */
function parseDate(text: string): number | undefined {
    if (/^\d+$/.test(text)) return Number(text) * 1000;
    const ms = Date.parse(text);
    return Number.isNaN(ms) ? undefined : ms;
}

function isBoolean(text: string): boolean {
    const lower = text.toLowerCase();
    return lower === "true" || lower === "false";
}

/** ARNs compare component by component; wildcards never cross the first five colons. */
function arnMatches(requestValue: string, policyValue: string, lookup: KeyLookup, variables: boolean): Truth {
    const policyParts = arnParts(policyValue);
    const requestParts = arnParts(requestValue);
    if (!policyParts || !requestParts) return "unknown";
    return every(
        policyParts.map((part, i) => [part, requestParts[i]] as const),
        ([part, value]) => known(wildcardPattern(part, lookup, false, variables), re => re.test(value)),
    );
}

function arnParts(arn: string): string[] | undefined {
    const parts = arn.split(":");
    if (parts.length < 6) return undefined;
    return [...parts.slice(0, 5), parts.slice(5).join(":")];
}

interface IpNumber {
    bits: bigint;
    width: 32 | 128;
}

function ipInRange(requestValue: string, policyRange: string): Truth {
    const [address, prefixText] = policyRange.split("/");
    const range = parseIp(address);
    const ip = parseIp(requestValue);
    const prefix = prefixText === undefined ? range?.width : Number(prefixText);
    if (!range || !ip || prefix === undefined || !Number.isInteger(prefix) || prefix < 0 || prefix > range.width) return "unknown";
    if (range.width !== ip.width) return false;
    const shift = BigInt(range.width - prefix);
    return ip.bits >> shift === range.bits >> shift;
}

function parseIp(text: string): IpNumber | undefined {
    return text.includes(":") ? parseIpv6(text) : parseIpv4(text);
}

function parseIpv4(text: string): IpNumber | undefined {
    const octets = text.split(".");
    if (octets.length !== 4 || !octets.every(o => /^\d{1,3}$/.test(o) && Number(o) <= 255)) return undefined;
    return { bits: octets.reduce((acc, o) => (acc << 8n) | BigInt(o), 0n), width: 32 };
}

function parseIpv6(text: string): IpNumber | undefined {
    const halves = text.split("::");
    if (halves.length > 2) return undefined;
    const groups = halves.map(half => (half === "" ? [] : half.split(":")));
    const missing = 8 - groups.flat().length;
    if (halves.length === 1 ? missing !== 0 : missing < 1) return undefined;
    const all = halves.length === 1 ? groups[0] : [...groups[0], ...Array<string>(missing).fill("0"), ...groups[1]];
    if (!all.every(g => /^[0-9a-fA-F]{1,4}$/.test(g))) return undefined;
    return { bits: all.reduce((acc, g) => (acc << 16n) | BigInt(parseInt(g, 16)), 0n), width: 128 };
}
