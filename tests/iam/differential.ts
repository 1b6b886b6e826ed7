/**
 * Shared by the property spec and scripts/iam-differential.ts: random bucket/identity policies and
 * requests, and the comparison of our verdict with the oracle's.
 *
 * A disagreement is "deliberate" only when our verdict is strictly less permissive than the oracle's
 * AND every undetermined statement explains it (see `undeterminedReasons`); anything else is real.
 */
import fc from "fast-check";
import {
    evaluate,
    parsePolicy,
    type ConditionClause,
    type Decision,
    type EvaluationKind,
    type RequestEnvelope,
    type Statement,
} from "../../policypack/iam";
import { oracleDecision, ROLE_ARN } from "./oracle";

type KeyKind = "string" | "arn" | "ip" | "bool" | "multi" | "date" | "number";

const KEYS: Record<string, { kind: KeyKind; pool: string[] }> = {
    "aws:SourceVpc": { kind: "string", pool: ["vpc-111", "vpc-222", "vpc-*"] },
    "aws:SourceVpce": { kind: "string", pool: ["vpce-111", "vpce-222", "vpce-1?1"] },
    "aws:SourceVpcArn": { kind: "arn", pool: ["arn:aws:ec2:us-east-1:111122223333:vpc/vpc-111", "arn:aws:ec2:*:111122223333:vpc/*"] },
    "aws:VpcSourceIp": { kind: "ip", pool: ["10.0.0.5", "10.0.0.0/16", "192.168.1.1"] },
    "aws:VpceAccount": { kind: "string", pool: ["111122223333", "444455556666"] },
    "aws:VpceOrgID": { kind: "string", pool: ["o-abc", "o-xyz", "O-ABC"] },
    "aws:VpceOrgPaths": { kind: "multi", pool: ["o-abc/r-1/ou-1/", "o-abc/r-1/*", "o-xyz/r-2/"] },
    "aws:SecureTransport": { kind: "bool", pool: ["true", "false"] },
    "aws:PrincipalIsAWSService": { kind: "bool", pool: ["true", "false"] },
    "aws:PrincipalOrgID": { kind: "string", pool: ["o-abc", "o-xyz"] },
    "aws:SourceAccount": { kind: "string", pool: ["111122223333", "444455556666", "1111*"] },
    "aws:CurrentTime": {
        kind: "date",
        // 1798761600 is 2027-01-01 as epoch seconds, which IAM takes in a date operator too.
        pool: ["2026-01-01T00:00:00Z", "2099-01-01T00:00:00Z", "2026-11-28T12:00:00Z", "1798761600"],
    },
    "aws:EpochTime": { kind: "number", pool: ["1767225600", "4070908800", "1795867200"] },
    "s3:TlsVersion": { kind: "number", pool: ["1.2", "1.3", "1.1"] },
    "aws:SourceArn": {
        kind: "arn",
        pool: [
            "arn:aws:personalize:us-east-1:111122223333:dataset-import-job/j1",
            "arn:aws:personalize:*:111122223333:*",
            "arn:aws:personalize:us-east-1:444455556666:*",
        ],
    },
};
const KEY_NAMES = Object.keys(KEYS);

const OPERATORS: Record<KeyKind, string[]> = {
    string: ["StringEquals", "StringNotEquals", "StringEqualsIgnoreCase", "StringNotEqualsIgnoreCase", "StringLike", "StringNotLike"],
    arn: ["ArnEquals", "ArnLike", "ArnNotEquals", "ArnNotLike", "StringLike", "StringEquals"],
    ip: ["IpAddress", "NotIpAddress"],
    bool: ["Bool"],
    multi: ["StringEquals", "StringLike", "StringNotEquals", "StringNotLike"],
    date: ["DateEquals", "DateNotEquals", "DateLessThan", "DateLessThanEquals", "DateGreaterThan", "DateGreaterThanEquals"],
    number: [
        "NumericEquals",
        "NumericNotEquals",
        "NumericLessThan",
        "NumericLessThanEquals",
        "NumericGreaterThan",
        "NumericGreaterThanEquals",
    ],
};

const ACTIONS = [
    "s3:GetObject",
    "s3:ListBucket",
    "s3:PutObject",
    "s3:Get*",
    "s3:*",
    "*",
    "s3:GetObjectAcl",
    "s3:Put*",
    "s3:?etObject",
    "S3:getobject",
    "s3:LIST*",
    "s3:Get?bject",
];
const RESOURCES = [
    "arn:aws:s3:::bucket",
    "arn:aws:s3:::bucket/*",
    "arn:aws:s3:::bucket/data/*",
    "arn:aws:s3:::Bucket/*",
    "arn:aws:s3:::buck?t/*",
    "arn:aws:s3:::*",
    "*",
    "arn:aws:s3:::bucket/data/interactions.csv",
    "arn:aws:s3:::other/*",
    "arn:aws:s3:::bucket*",
    "arn:aws:s3:*",
    "arn:aws:*",
    "arn:*",
    "arn:aws:s3::*",
    "arn:aws:s3:::bucket/*/interactions.csv",
    "arn:aws:s3:::bucket/${aws:SourceAccount}/*",
    "arn:aws:s3:::bucket/$${aws:SourceAccount}/*",
];
const PRINCIPALS: unknown[] = [
    "*",
    { AWS: "*" },
    { Service: "personalize.amazonaws.com" },
    { Service: ["glue.amazonaws.com", "personalize.amazonaws.com"] },
    { Service: "glue.amazonaws.com" },
    { AWS: ROLE_ARN },
    { AWS: ["arn:aws:iam::111122223333:role/Other"] },
];
const REQUESTS: Array<{ action: string; resource: string }> = [
    { action: "s3:ListBucket", resource: "arn:aws:s3:::bucket" },
    { action: "s3:GetObject", resource: "arn:aws:s3:::bucket/data/interactions.csv" },
    { action: "s3:PutObject", resource: "arn:aws:s3:::bucket/out/batch.json" },
    { action: "s3:GetObjectAcl", resource: "arn:aws:s3:::bucket/data/interactions.csv" },
    { action: "s3:GetObject", resource: "arn:aws:s3:::Bucket/data/a.csv" },
    { action: "s3:GetObject", resource: "arn:aws:s3:::bucket/111122223333/a.csv" },
];

export interface Case {
    kind: EvaluationKind;
    policy: { Version?: string; Statement: object[] };
    request: RequestEnvelope;
}

/** Policy language versions: variables only in 2012-10-17; literal text in the others (IAM User Guide, Version). */
const VERSIONS = ["2012-10-17", "2012-10-17", "2008-10-17", undefined];

const anyCase = (s: string) =>
    fc.array(fc.boolean(), { minLength: s.length, maxLength: s.length }).map(flips =>
        s
            .split("")
            .map((c, i) => (flips[i] ? c.toUpperCase() : c.toLowerCase()))
            .join(""),
    );
const keyName = (key: string) => fc.oneof({ weight: 3, arbitrary: fc.constant(key) }, { weight: 1, arbitrary: anyCase(key) });
const listOrOne = <T>(arb: fc.Arbitrary<T>) => fc.oneof(arb, fc.array(arb, { minLength: 1, maxLength: 3 }));

const condition = fc.constantFrom(...KEY_NAMES).chain(key => {
    const { kind, pool } = KEYS[key];
    const value = fc.oneof(
        { weight: 6, arbitrary: fc.constantFrom(...pool) },
        { weight: 1, arbitrary: fc.constant("${aws:SourceAccount}") },
    );
    const isNull = fc.record({ operator: fc.constant("Null"), key: keyName(key), value: fc.constantFrom("true", "false") });
    const regular = fc
        .record({
            set:
                kind === "multi"
                    ? fc.constantFrom("ForAnyValue:", "ForAllValues:", "")
                    : fc.constantFrom("", "", "", "ForAnyValue:", "ForAllValues:"),
            base: fc.constantFrom(...OPERATORS[kind]),
            ifExists: fc.boolean(),
            key: keyName(key),
            value: kind === "bool" ? fc.constantFrom("true", "false") : listOrOne(value),
        })
        .map(({ set, base, ifExists, key: k, value: v }) => ({
            operator: `${set}${base}${ifExists ? "IfExists" : ""}`,
            key: k,
            value: v as unknown,
        }));
    return fc.oneof({ weight: 1, arbitrary: isNull }, { weight: 6, arbitrary: regular });
});

const statement = (kind: EvaluationKind) =>
    fc
        .record({
            Effect: fc.constantFrom("Allow", "Allow", "Deny"),
            actionElement: fc.constantFrom("Action", "Action", "Action", "NotAction"),
            actions: listOrOne(fc.constantFrom(...ACTIONS)),
            resourceElement: fc.constantFrom("Resource", "Resource", "Resource", "NotResource"),
            resources: listOrOne(fc.constantFrom(...RESOURCES)),
            principalElement: fc.constantFrom("Principal", "Principal", "Principal", "NotPrincipal"),
            principal: fc.constantFrom(...PRINCIPALS),
            conditions: fc.array(condition, { maxLength: 3 }),
        })
        .map(s => {
            const Condition: Record<string, Record<string, unknown>> = {};
            for (const c of s.conditions) (Condition[c.operator] ??= {})[c.key] = c.value;
            return {
                Effect: s.Effect,
                ...(kind === "resource" && { [s.principalElement]: s.principal }),
                [s.actionElement]: s.actions,
                [s.resourceElement]: s.resources,
                ...(s.conditions.length > 0 && { Condition }),
            };
        });

type KeyState = { state: "present"; value: string | string[] } | { state: "absent" } | { state: "unknown" };
const keyState = (key: string): fc.Arbitrary<KeyState> => {
    const { kind, pool } = KEYS[key];
    const concrete = pool.filter(v => !/[*?/]/.test(v) || kind === "multi" || kind === "arn").map(v => v.replace(/\*$/, "x"));
    const value: fc.Arbitrary<string | string[]> =
        kind === "multi"
            ? fc.array(fc.constantFrom(...concrete), { maxLength: 2 })
            : fc.constantFrom(...(concrete.length > 0 ? concrete : pool));
    return fc.oneof(
        { weight: 4, arbitrary: value.map((v): KeyState => ({ state: "present", value: v })) },
        { weight: 4, arbitrary: fc.constant<KeyState>({ state: "absent" }) },
        { weight: 1, arbitrary: fc.constant<KeyState>({ state: "unknown" }) },
    );
};

const contextArbitrary = fc.tuple(...KEY_NAMES.map(key => fc.tuple(keyName(key), keyState(key))));

/** CONTEXTS_PER_REQUEST contexts for one policy and request, as Personalize's requests come in several shapes. */
export const CONTEXTS_PER_REQUEST = 3;

/** One policy and one request, judged in several contexts: a case per context. */
export const caseGroupArbitrary: fc.Arbitrary<Case[]> = fc
    .constantFrom<EvaluationKind>("resource", "identity")
    .chain(kind =>
        fc.record({
            kind: fc.constant(kind),
            version: fc.constantFrom(...VERSIONS),
            statements: fc.array(statement(kind), { minLength: 1, maxLength: 4 }),
            target: fc.constantFrom(...REQUESTS),
            principal: fc.constantFrom(
                { type: "Service" as const, id: "personalize.amazonaws.com" },
                { type: "AWS" as const, id: ROLE_ARN },
            ),
            contexts: fc.array(contextArbitrary, { minLength: CONTEXTS_PER_REQUEST, maxLength: CONTEXTS_PER_REQUEST }),
        }),
    )
    .map(({ kind, version, statements, target, principal, contexts }) =>
        contexts.map(keys => {
            const context: Record<string, string | string[]> = {};
            const absentKeys: string[] = [];
            for (const [name, state] of keys) {
                if (state.state === "present") context[name] = state.value;
                else if (state.state === "absent") absentKeys.push(name);
            }
            return {
                kind,
                policy: { ...(version && { Version: version }), Statement: statements },
                request: { ...target, ...(kind === "resource" && { principal }), context, absentKeys },
            };
        }),
    );

export type Outcome =
    | { type: "agree"; decision: Decision }
    | { type: "deliberate"; categories: string[]; ours: Decision; oracle: Decision }
    | { type: "real"; ours: Decision; oracle: Decision | string; detail: string };

const PERMISSIVENESS: Record<Decision, number> = { ExplicitDeny: 0, ImplicitDeny: 1, Allowed: 2 };

export async function compareWithOracle(c: Case): Promise<Outcome> {
    const parsed = parsePolicy(c.policy, c.kind);
    if (!parsed.ok)
        return { type: "real", ours: "ImplicitDeny", oracle: "n/a", detail: `we rejected a valid policy: ${parsed.problems.join("; ")}` };
    const verdict = evaluate(parsed.statements, c.request, c.kind);
    const answer = await oracleDecision(c.policy, c.request, c.kind);
    if ("error" in answer) return { type: "real", ours: verdict.decision, oracle: answer.error, detail: "oracle error" };
    if (answer.decision === verdict.decision) return { type: "agree", decision: verdict.decision };
    const documented = documentedDifferences(parsed.statements, c.policy, c.request);
    if (documented.length > 0) return { type: "deliberate", categories: documented, ours: verdict.decision, oracle: answer.decision };
    const categories = [...new Set(verdict.undetermined.flatMap(s => undeterminedReasons(s, c.request)))].sort();
    if (categories.length > 0 && PERMISSIVENESS[verdict.decision] < PERMISSIVENESS[answer.decision]) {
        return { type: "deliberate", categories, ours: verdict.decision, oracle: answer.decision };
    }
    return { type: "real", ours: verdict.decision, oracle: answer.decision, detail: "decisions differ" };
}

/**
 * Where the oracle departs from IAM's documented rules, so that a disagreement follows the
 * documentation rather than fails safe (either direction):
 *  - it substitutes policy variables in 2008-10-17 documents and documents without Version, where
 *    IAM takes `${...}` as literal text (IAM User Guide, "IAM JSON policy elements: Version");
 *  - it reads no epoch seconds in a date operator or as the request's date, which IAM accepts
 *    ("Date condition operators": ISO 8601 or epoch time).
 */
export function documentedDifferences(statements: Statement[], policy: Case["policy"], request: RequestEnvelope): string[] {
    const out: string[] = [];
    const usesVariables = JSON.stringify(policy.Statement).includes("${");
    if (policy.Version !== "2012-10-17" && usesVariables)
        out.push("documented: variables are literal text before 2012-10-17 (the oracle substitutes them)");
    const epochDate =
        statements.some(s => s.conditions.some(c => /^date/i.test(c.baseOperator) && c.values.some(v => /^\d+$/.test(v)))) ||
        Object.entries(request.context).some(([k, v]) => k.toLowerCase() === "aws:currenttime" && /^\d+$/.test(String(v)));
    if (epochDate) out.push("documented: epoch seconds in a date operator (the oracle reads only ISO 8601)");
    return out;
}

/** Why a statement's applicability is undetermined, by category (empty if none applies). */
export function undeterminedReasons(s: Statement, request: RequestEnvelope): string[] {
    const present = new Map(Object.entries(request.context).map(([k, v]) => [k.toLowerCase(), v]));
    const absent = new Set((request.absentKeys ?? []).map(k => k.toLowerCase()));
    const state = (key: string) => (present.has(key.toLowerCase()) ? "present" : absent.has(key.toLowerCase()) ? "absent" : "unknown");
    const reasons = (clause: ConditionClause): string[] => {
        const out: string[] = [];
        const keyState = state(clause.key);
        if (keyState === "unknown") out.push("unknown condition key");
        if (
            keyState === "present" &&
            !clause.set &&
            Array.isArray(present.get(clause.key.toLowerCase())) &&
            clause.baseOperator !== "Null"
        ) {
            out.push("single-valued operator on a multi-valued key");
        }
        if (keyState === "absent" && clause.set === "ForAnyValue" && clause.ifExists) out.push("ForAnyValue…IfExists on an absent key");
        const variables = clause.values.flatMap(v => [...v.matchAll(/\$\{([^},]+)/g)].map(m => m[1].trim()));
        if (variables.some(v => state(v) !== "present" || Array.isArray(present.get(v.toLowerCase()))))
            out.push("unresolvable policy variable");
        else if (clause.values.some(v => !interpretable(clause.baseOperator, v, request))) out.push("value the operator cannot interpret");
        return out;
    };
    const resourceVariables = s.variables
        ? [...(s.resource ?? []), ...(s.notResource ?? [])].flatMap(v => [...v.matchAll(/\$\{([^},]+)/g)].map(m => m[1].trim()))
        : [];
    const unresolvedResource = resourceVariables.some(v => state(v) !== "present" || Array.isArray(present.get(v.toLowerCase())));
    return [...s.conditions.flatMap(reasons), ...(unresolvedResource ? ["unresolvable policy variable in a resource"] : [])];
}

/**
 * Whether a policy value (after resolving variables) has the shape its operator compares. Variables
 * resolve only in string and ARN operators; elsewhere `${...}` stays text no operator can read.
 */
function interpretable(baseOperator: string, value: string, request: RequestEnvelope): boolean {
    if (/^(Numeric|Date|Bool|Binary|IpAddress|NotIpAddress)/i.test(baseOperator) && value.includes("${")) return false;
    const resolved = value.replace(/\$\{([^}]+)\}/g, (_, key: string) => {
        const found = Object.entries(request.context).find(([k]) => k.toLowerCase() === key.trim().toLowerCase());
        return typeof found?.[1] === "string" ? found[1] : "";
    });
    if (/^Arn/i.test(baseOperator)) return resolved.split(":").length >= 6;
    if (/IpAddress$/i.test(baseOperator)) return /^\d{1,3}(\.\d{1,3}){3}(\/\d{1,2})?$/.test(resolved) || resolved.includes(":");
    if (/^Bool$/i.test(baseOperator)) return /^(true|false)$/i.test(resolved);
    return true;
}
