/**
 * Parsing and normalising IAM policy documents.
 *
 * `parsePolicy` never throws: any input yields either normalised statements or a list of
 * problems, one per defect, each naming the statement (by Sid, else `Statement[i]`) and saying
 * how to fix it. Values IAM treats as case-sensitive (Effect, element names) are checked as such.
 */

import { duplicateSidProblems, sidProblems, unacceptedCharacterProblems } from "./iam-document-rules";
import { readJsonText } from "./json-text";

export type PrincipalType = "AWS" | "Service" | "Federated" | "CanonicalUser";
const PRINCIPAL_TYPES: readonly PrincipalType[] = ["AWS", "Service", "Federated", "CanonicalUser"];

/** `"*"` or, per principal type, the identifiers listed (always as an array). */
export type PrincipalSpec = "*" | Partial<Record<PrincipalType, string[]>>;

export type SetOperator = "ForAllValues" | "ForAnyValue";

export interface ConditionClause {
    /** The operator exactly as written, e.g. `ForAnyValue:StringNotEqualsIfExists`. */
    operator: string;
    /** The operator without set prefix and `IfExists` suffix, e.g. `StringNotEquals`. */
    baseOperator: string;
    set?: SetOperator;
    ifExists: boolean;
    /** The condition key exactly as written (IAM compares key names case-insensitively). */
    key: string;
    values: string[];
}

export interface Statement {
    /** The Sid, or `Statement[i]` when there is none: used in every message about the statement. */
    label: string;
    sid?: string;
    effect: "Allow" | "Deny";
    principal?: PrincipalSpec;
    notPrincipal?: PrincipalSpec;
    action?: string[];
    notAction?: string[];
    resource?: string[];
    notResource?: string[];
    conditions: ConditionClause[];
    /**
     * Whether `${...}` in Resource, NotResource and condition values is a policy variable: only in a
     * `2012-10-17` document; in a `2008-10-17` one or one without Version it is literal text.
     */
    variables: boolean;
}

export type ParseResult = { ok: true; statements: Statement[]; version?: string } | { ok: false; problems: string[] };

/**
 * Where the policy is attached. Identity policies must not name a principal (IAM rejects them with
 * "Policy document should not specify a principal") and must name resources; resource policies must
 * name a principal. A role trust policy is the resource policy of a role, which IAM stores: it must
 * name a principal, never with NotPrincipal (IAM User Guide, "AWS JSON policy elements:
 * NotPrincipal", https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_notprincipal.html:
 * "You cannot use the NotPrincipal element in an IAM identity-based policy nor in an IAM role trust
 * policy"). Identity and trust policies follow IAM's own rules too (iam-document-rules.ts); other
 * resource policies (S3, KMS) their service's. Without a kind, none of these rules is checked.
 */
export type PolicyKind = "resource" | "identity" | "trust";

const TOP_LEVEL_ELEMENTS = ["Version", "Id", "Statement"];
const STATEMENT_ELEMENTS = ["Sid", "Effect", "Principal", "NotPrincipal", "Action", "NotAction", "Resource", "NotResource", "Condition"];
const VARIABLES_VERSION = "2012-10-17";
const VERSIONS = [VARIABLES_VERSION, "2008-10-17"];
const SET_PREFIX = /^(ForAllValues|ForAnyValue):(.*)$/i;
const IF_EXISTS_SUFFIX = /IfExists$/i;

/**
 * Results for documents given as text (as stacks give them), by kind and text: the policies of the
 * pack read the same documents (a bucket policy is read by most of them), and parsing the text,
 * repeated keys included, is most of the cost of reading one. Results are shared: callers must not
 * change them. At most PARSED_TEXTS_MAX are kept, the oldest leaving first.
 */
const parsedTexts = new Map<string, ParseResult>();
const PARSED_TEXTS_MAX = 256;

export function parsePolicy(doc: unknown, kind?: PolicyKind): ParseResult {
    if (typeof doc !== "string") return parseDocument(doc, kind);
    const key = `${kind ?? ""}\u0000${doc}`;
    let result = parsedTexts.get(key);
    if (result === undefined) {
        result = parseDocument(doc, kind);
        if (parsedTexts.size >= PARSED_TEXTS_MAX) parsedTexts.delete(parsedTexts.keys().next().value!);
        parsedTexts.set(key, result);
    }
    return result;
}

function parseDocument(doc: unknown, kind?: PolicyKind): ParseResult {
    const problems: string[] = [];
    const root = typeof doc === "string" ? parseJson(doc, problems) : doc;
    if (problems.length > 0) return { ok: false, problems };
    if (!isPlainObject(root)) {
        return { ok: false, problems: [`Policy must be a JSON object with a "Statement" element, got ${describe(root)}`] };
    }
    for (const name of Object.keys(root)) {
        if (!TOP_LEVEL_ELEMENTS.includes(name)) {
            problems.push(`Policy has unknown element "${name}"; allowed elements are ${TOP_LEVEL_ELEMENTS.join(", ")}`);
        }
    }
    if ("Version" in root && !VERSIONS.includes(root.Version as string)) {
        problems.push(`Policy Version must be "2012-10-17" (or the legacy "2008-10-17"), got ${describe(root.Version)}`);
    }
    const rawStatements = root.Statement;
    let list: unknown[] = [];
    if (rawStatements === undefined) {
        problems.push('Policy has no "Statement" element; add one with at least one statement');
    } else if (Array.isArray(rawStatements)) {
        if (rawStatements.length === 0) problems.push('Policy "Statement" is an empty array; add at least one statement');
        list = rawStatements;
    } else if (isPlainObject(rawStatements)) {
        list = [rawStatements];
    } else {
        problems.push(`Policy "Statement" must be an object or an array of objects, got ${describe(rawStatements)}`);
    }

    if (storedByIam(kind)) problems.push(...unacceptedCharacterProblems(root.Id, "Policy Id"), ...duplicateSidProblems(list));
    const statements: Statement[] = [];
    list.forEach((raw, index) => {
        const statement = parseStatement(raw, index, kind, problems);
        if (statement) statements.push({ ...statement, variables: root.Version === VARIABLES_VERSION });
    });
    if (problems.length > 0) return { ok: false, problems };
    return { ok: true, statements, ...(typeof root.Version === "string" && { version: root.Version }) };
}

function parseStatement(
    raw: unknown,
    index: number,
    kind: PolicyKind | undefined,
    problems: string[],
): Omit<Statement, "variables"> | undefined {
    if (!isPlainObject(raw)) {
        problems.push(`Statement[${index}] must be an object, got ${describe(raw)}`);
        return undefined;
    }
    const sid = typeof raw.Sid === "string" && raw.Sid !== "" ? raw.Sid : undefined;
    const label = sid ?? `Statement[${index}]`;
    const name = sid ? `Statement "${sid}"` : label;
    const before = problems.length;
    const report = (message: string) => problems.push(`${name}: ${message}`);

    for (const element of Object.keys(raw)) {
        if (!STATEMENT_ELEMENTS.includes(element)) {
            report(`unknown element "${element}"; allowed elements are ${STATEMENT_ELEMENTS.join(", ")} (names are case-sensitive)`);
        }
    }
    if ("Sid" in raw && typeof raw.Sid !== "string") report(`Sid must be a string, got ${describe(raw.Sid)}`);
    if (storedByIam(kind)) {
        sidProblems(raw.Sid).forEach(report);
        for (const [element, value] of Object.entries(raw)) unacceptedCharacterProblems(value, element).forEach(report);
    }

    if (!("Effect" in raw)) report('Effect is missing; add "Effect": "Allow" or "Effect": "Deny"');
    else if (raw.Effect !== "Allow" && raw.Effect !== "Deny") {
        report(`Effect must be "Allow" or "Deny", got ${describe(raw.Effect)}`);
    }

    const action = exclusivePair(raw, "Action", "NotAction", true, report);
    for (const [element, values] of Object.entries(action)) {
        values?.forEach((value, i) => {
            if (value !== "*" && !/^[A-Za-z0-9-]+:[A-Za-z0-9*?]+$/.test(value)) {
                report(
                    `${element}[${i}] must be "*" or look like "service:Action" (wildcards * and ? allowed), got ${JSON.stringify(value)}`,
                );
            }
        });
    }
    const resource = exclusivePair(raw, "Resource", "NotResource", kind === "identity", report);
    const principal = parsePrincipalPair(raw, kind, report);
    const conditions = "Condition" in raw ? parseConditions(raw.Condition, report) : [];

    if (problems.length > before) return undefined;
    return {
        label,
        ...(sid !== undefined && { sid }),
        effect: raw.Effect as "Allow" | "Deny",
        ...principal,
        ...(action.Action && { action: action.Action }),
        ...(action.NotAction && { notAction: action.NotAction }),
        ...(resource.Resource && { resource: resource.Resource }),
        ...(resource.NotResource && { notResource: resource.NotResource }),
        conditions,
    };
}

/** Reads an element that may be written either plainly or negated (Action/NotAction, ...), never both. */
function exclusivePair<P extends string, N extends string>(
    raw: Record<string, unknown>,
    plain: P,
    negated: N,
    required: boolean,
    report: (m: string) => void,
): Partial<Record<P | N, string[]>> {
    const hasPlain = plain in raw;
    const hasNegated = negated in raw;
    if (hasPlain && hasNegated) {
        report(`has both ${plain} and ${negated}; keep only one of them`);
        return {};
    }
    if (!hasPlain && !hasNegated) {
        if (required) report(`needs ${plain} (or ${negated}); add e.g. "${plain}": [...]`);
        return {};
    }
    const element = hasPlain ? plain : negated;
    const values = stringList(raw[element], element, report);
    return values ? ({ [element]: values } as Partial<Record<P | N, string[]>>) : {};
}

function parsePrincipalPair(
    raw: Record<string, unknown>,
    kind: PolicyKind | undefined,
    report: (m: string) => void,
): { principal?: PrincipalSpec; notPrincipal?: PrincipalSpec } {
    const hasPrincipal = "Principal" in raw;
    const hasNotPrincipal = "NotPrincipal" in raw;
    if (hasPrincipal && hasNotPrincipal) {
        report("has both Principal and NotPrincipal; keep only one of them");
        return {};
    }
    const element = hasPrincipal ? "Principal" : hasNotPrincipal ? "NotPrincipal" : undefined;
    if (element === undefined) {
        if (kind === "resource")
            report(
                'needs Principal (or NotPrincipal) in a resource policy; add e.g. "Principal": {"Service": "personalize.amazonaws.com"}',
            );
        if (kind === "trust")
            report('needs Principal in a role trust policy; add e.g. "Principal": {"Service": "personalize.amazonaws.com"}');
        return {};
    }
    if (kind === "trust" && element === "NotPrincipal") {
        report(
            "NotPrincipal is not allowed in a role trust policy; name who may assume the role in Principal " +
                "(to exclude principals, add a Deny with an aws:PrincipalArn condition)",
        );
        return {};
    }
    if (kind === "identity") {
        report(`${element} is not allowed in an identity policy (the principal is the identity the policy is attached to); remove it`);
        return {};
    }
    const spec = parsePrincipalSpec(raw[element], element, report);
    if (!spec) return {};
    return element === "Principal" ? { principal: spec } : { notPrincipal: spec };
}

function parsePrincipalSpec(value: unknown, element: string, report: (m: string) => void): PrincipalSpec | undefined {
    if (value === "*") return "*";
    if (!isPlainObject(value) || Object.keys(value).length === 0) {
        report(`${element} must be "*" or an object such as {"Service": "personalize.amazonaws.com"}, got ${describe(value)}`);
        return undefined;
    }
    const spec: Partial<Record<PrincipalType, string[]>> = {};
    let valid = true;
    for (const [type, ids] of Object.entries(value)) {
        if (!(PRINCIPAL_TYPES as readonly string[]).includes(type)) {
            report(`${element} has unknown principal type "${type}"; use one of ${PRINCIPAL_TYPES.join(", ")}`);
            valid = false;
            continue;
        }
        const list = stringList(ids, `${element}.${type}`, report);
        if (list) spec[type as PrincipalType] = list;
        else valid = false;
    }
    return valid ? spec : undefined;
}

function parseConditions(value: unknown, report: (m: string) => void): ConditionClause[] {
    const example = '{"StringEquals": {"aws:SourceAccount": "123456789012"}}';
    if (!isPlainObject(value)) {
        report(`Condition must be an object like ${example}, got ${describe(value)}`);
        return [];
    }
    const clauses: ConditionClause[] = [];
    for (const [operator, block] of Object.entries(value)) {
        if (!isPlainObject(block) || Object.keys(block).length === 0) {
            report(`Condition operator "${operator}" must map to an object of condition keys, like ${example}; got ${describe(block)}`);
            continue;
        }
        const shape = splitOperator(operator);
        if (!shape) {
            report(
                `Condition operator "${operator}" is malformed; write e.g. "StringEquals", "ForAnyValue:StringLike" or "StringNotEqualsIfExists"`,
            );
            continue;
        }
        for (const [key, raw] of Object.entries(block)) {
            const values = conditionValues(raw);
            if (!values) {
                report(
                    `Condition "${operator}" key "${key}" must have a string, number or boolean value, or a non-empty array of them; got ${describe(raw)}`,
                );
                continue;
            }
            clauses.push({ operator, ...shape, key, values });
        }
    }
    return clauses;
}

function splitOperator(operator: string): Pick<ConditionClause, "baseOperator" | "set" | "ifExists"> | undefined {
    let rest = operator;
    let set: SetOperator | undefined;
    const prefixed = SET_PREFIX.exec(rest);
    if (prefixed) {
        set = prefixed[1].toLowerCase() === "forallvalues" ? "ForAllValues" : "ForAnyValue";
        rest = prefixed[2];
    }
    const ifExists = IF_EXISTS_SUFFIX.test(rest);
    if (ifExists) rest = rest.slice(0, -"IfExists".length);
    if (!/^[A-Za-z]+$/.test(rest)) return undefined;
    return { baseOperator: rest, ...(set && { set }), ifExists };
}

function conditionValues(raw: unknown): string[] | undefined {
    const list = Array.isArray(raw) ? raw : [raw];
    if (list.length === 0) return undefined;
    const values: string[] = [];
    for (const item of list) {
        if (typeof item === "string") values.push(item);
        else if ((typeof item === "number" && Number.isFinite(item)) || typeof item === "boolean") values.push(String(item));
        else return undefined;
    }
    return values;
}

function stringList(value: unknown, element: string, report: (m: string) => void): string[] | undefined {
    const list = Array.isArray(value) ? value : [value];
    if (list.length === 0) {
        report(`${element} is an empty array; list at least one value`);
        return undefined;
    }
    let valid = true;
    list.forEach((item, i) => {
        if (typeof item !== "string" || item === "") {
            const where = Array.isArray(value) ? `${element}[${i}]` : element;
            report(`${where} must be a non-empty string, got ${describe(item)}`);
            valid = false;
        }
    });
    return valid ? (list as string[]) : undefined;
}

function parseJson(text: string, problems: string[]): unknown {
    const read = readJsonText(text);
    if (read.ok) return read.value;
    problems.push(...read.problems);
    return undefined;
}

/** Whether IAM stores the document, and so applies its own document rules. */
function storedByIam(kind: PolicyKind | undefined): boolean {
    return kind === "identity" || kind === "trust";
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
    return typeof value === "object" && value !== null && !Array.isArray(value);
}

function describe(value: unknown): string {
    if (value === undefined) return "nothing";
    if (value === null) return "null";
    if (Array.isArray(value)) return "an array";
    if (typeof value === "object") return "an object";
    if (typeof value === "string") return JSON.stringify(value);
    return `${typeof value} ${String(value)}`;
}
