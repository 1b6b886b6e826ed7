import { isIP } from "node:net";
import { actionMatches, actionsMatching, coveredActions, type CatalogAction } from "./catalog";
import type { ConditionClause, Statement } from "../iam";

/**
 * Whether a bucket-policy statement makes the bucket public, as S3 defines it (S3 User Guide,
 * "The meaning of public"; API reference, PublicAccessBlockConfiguration). A statement is public
 * when it is an Allow for everyone (`"*"`, `{"AWS": "*"}`, an identity provider's users, or every
 * principal but those in NotPrincipal), grants a "bad action", and no condition pins fixed values of
 * a key S3 lists. Which operators and value shapes pin a key follows S3's Block Public Access
 * classifier as `@cloud-copilot/iam-simulate` implements it (the test oracle), except where an AWS
 * documentation line says otherwise; tests/policypack/s3-public-differential.spec.ts lists each
 * such difference with its line.
 */

/** "Bad actions are those that could expose the data inside a bucket to reads or writes by the public." */
export const BAD_ACTIONS = ["s3:Get*", "s3:List*", "s3:Put*", "s3:Delete*", "s3:AbortMultipartUpload", "s3:RestoreObject"];

export interface UnpinnedClause {
    clause: ConditionClause;
    /** Why the clause doesn't pin who may call, e.g. `"0.0.0.0/1" is broader than /8`. */
    why: string;
}

export type PublicVerdict =
    | { public: false; pinnedBy?: ConditionClause }
    | {
          public: true;
          /** Who the statement reaches, e.g. `everyone ("*")`. */
          grantee: string;
          /** Which element makes it everyone. */
          through: "*" | "NotPrincipal" | "Federated";
          /** The bad actions granted, as the statement writes them (or, for NotAction, as S3 names them). */
          badActions: string[];
          /** Every condition clause, with why it doesn't pin. */
          unpinned: UnpinnedClause[];
      };

export function classifyStatement(statement: Statement): PublicVerdict {
    if (statement.effect !== "Allow") return { public: false };
    const reach = publicGrantee(statement);
    if (reach === undefined) return { public: false };
    const badActions = badActionsGranted(statement);
    if (badActions.length === 0) return { public: false };
    const unpinned: UnpinnedClause[] = [];
    for (const clause of statement.conditions) {
        const why = whyNotPinning(clause);
        if (why === undefined) return { public: false, pinnedBy: clause };
        unpinned.push({ clause, why });
    }
    return { public: true, ...reach, badActions, unpinned };
}

function publicGrantee(statement: Statement): Pick<Extract<PublicVerdict, { public: true }>, "grantee" | "through"> | undefined {
    if (statement.notPrincipal) return { grantee: "every principal but those in NotPrincipal", through: "NotPrincipal" };
    const principal = statement.principal;
    if (principal === "*" || principal?.AWS?.some(id => /^\*+$/.test(id))) return { grantee: 'everyone ("*")', through: "*" };
    // The User Guide's first example of a public policy grants {"Federated": "graph.facebook.com"}:
    // anyone who signs in with the provider.
    const providers = principal?.Federated?.map(p => JSON.stringify(p)).join(", ");
    return providers ? { grantee: `anyone who signs in with ${providers} (Federated)`, through: "Federated" } : undefined;
}

const isBad = (name: string) => BAD_ACTIONS.some(bad => actionMatches(bad, name));

let badCatalogActions: Set<CatalogAction> | undefined;

function badActionsGranted(statement: Statement): string[] {
    badCatalogActions ??= new Set(actionsMatching(BAD_ACTIONS, "s3"));
    const bad = badCatalogActions;
    if (!statement.action) return coveredActions(statement, "s3").flatMap(a => (bad.has(a) ? [a.name] : []));
    // An Action pattern is bad when it reaches a bad action of the catalog, or reads as one itself
    // (an action the catalog doesn't know yet, such as s3:GetNewThing).
    return statement.action.filter(p => isBad(p) || actionsMatching([p], "s3").some(a => bad.has(a)));
}

const EQUALITY = ["StringEquals", "StringEqualsIgnoreCase", "ForAnyValue:StringEquals"];
const hasWildcard = (value: string) => /[*?]/.test(value);

/** How one key can be pinned: the operators that count (as written) and what a value must look like. */
interface PinRule {
    operators: string[];
    /** Why a value doesn't pin under the operator, or undefined when it does. */
    value(value: string, operator: string): string | undefined;
}

const noWildcard = (v: string) => (hasWildcard(v) ? `${JSON.stringify(v)} has a wildcard` : undefined);

const FIXED_VALUE: PinRule = {
    operators: [...EQUALITY, "StringLike"],
    value: noWildcard,
};

function arnAccount(value: string): string | undefined {
    return value.split(":")[4];
}
const fixedAccount = (v: string) => {
    const account = arnAccount(v);
    return account && !hasWildcard(account) ? undefined : `${JSON.stringify(v)} has no fixed account`;
};
const FIXED_ACCOUNT_ARN: PinRule = { operators: ["ArnEquals"], value: fixedAccount };

const ORG_PATH = /^o-[a-z0-9]+\/[^*?]+/;
const ORG_PATHS: PinRule = {
    operators: ["StringEquals", "StringLike"],
    value: (v, operator) => {
        // A path ending in `*` names one subtree of a fixed organisation, as IAM's examples write it.
        const fixed = operator === "StringLike" && v.endsWith("*") ? v.slice(0, -1) : v;
        return ORG_PATH.test(fixed) && !hasWildcard(fixed) ? undefined : `${JSON.stringify(v)} is not a fixed organisation path`;
    },
};

const SERVICE_NAMES: PinRule = {
    operators: ["StringEquals", "ForAnyValue:StringEquals", "StringLike", "ForAnyValue:StringLike"],
    value: v =>
        /^([a-z0-9-]+|\*)\.(amazonaws\.com|amazonaws\.com\.cn)$/.test(v) ? undefined : `${JSON.stringify(v)} is not a service name`,
};

/** The keys a condition can pin a public grant with, by lower-cased name. */
const PIN_RULES: Record<string, PinRule> = {
    ...Object.fromEntries(
        [
            "aws:PrincipalOrgID",
            "aws:PrincipalAccount",
            "aws:SourceAccount",
            "aws:SourceOwner",
            "aws:SourceVpc",
            "aws:SourceVpce",
            "aws:VpceAccount",
            "aws:VpceOrgID",
            "s3:x-amz-server-side-encryption-aws-kms-key-id",
        ].map(k => [k.toLowerCase(), FIXED_VALUE]),
    ),
    "aws:sourcearn": FIXED_ACCOUNT_ARN,
    "aws:sourcevpcarn": FIXED_ACCOUNT_ARN,
    "aws:principalarn": {
        operators: ["ArnEquals", "ArnLike"],
        value: (v, operator) => {
            const why = fixedAccount(v);
            if (why || operator === "ArnEquals") return why;
            // ArnLike: partition, service and region fixed too (the account is, above).
            return v.split(":").slice(1, 4).some(hasWildcard) ? `${JSON.stringify(v)} has a wildcard outside its resource part` : undefined;
        },
    },
    "aws:principalorgpaths": ORG_PATHS,
    "aws:vpceorgpaths": ORG_PATHS,
    "aws:principalservicename": SERVICE_NAMES,
    "aws:principalservicenameslist": SERVICE_NAMES,
    "aws:principalisawsservice": {
        operators: ["Bool", "StringEquals", "StringEqualsIgnoreCase", "StringLike"],
        value: v => (v.toLowerCase() === "true" ? undefined : `${JSON.stringify(v)} is not "true"`),
    },
    "aws:userid": {
        operators: ["StringEquals", "StringLike"],
        // "outside the pattern AROLEID:*": StringLike may name one role's sessions by its unique ID and
        // `:*`; a StringEquals value only needs to be fixed, which holds for every equality operator.
        value: (v, operator) =>
            operator === "StringEquals" || /^[A-Z0-9]+:\*$/.test(v) ? undefined : `${JSON.stringify(v)} is not of the form AROLEID:*`,
    },
    "aws:sourceip": { operators: ["IpAddress"], value: narrowIpRange },
};

/**
 * An IP range pins when it is no broader than /8 (IPv4) or /32 (IPv6). S3 also exempts the RFC 1918
 * ranges, which changes nothing here: each is /8 or narrower, so a CIDR inside one is never broader
 * than /8, and a broader CIDR written with a private address (10.0.0.0/1) covers public ones too.
 */
function narrowIpRange(value: string): string | undefined {
    const cidr = /^([^/]+)\/(\d{1,3})$/.exec(value);
    const version = cidr ? isIP(cidr[1]) : 0;
    const width = Number(cidr?.[2]);
    if (version === 0 || width > (version === 4 ? 32 : 128)) return `${JSON.stringify(value)} is not a CIDR block (address/prefix length)`;
    const limit = version === 4 ? 8 : 32;
    return width >= limit ? undefined : `${JSON.stringify(value)} is broader than /${limit}`;
}

/** Why a condition clause doesn't pin who may call, or undefined when it does. */
export function whyNotPinning(clause: ConditionClause): string | undefined {
    const rule = PIN_RULES[clause.key.toLowerCase()];
    if (!rule) return `${clause.key} is not a key S3 counts as limiting who may call`;
    if (clause.ifExists) return "…IfExists also holds when the request lacks the key";
    if (clause.set === "ForAllValues") return "ForAllValues: also holds when the request lacks the key";
    if (/not/i.test(clause.baseOperator)) return `${clause.operator} lets every other value through`;
    if (!rule.operators.includes(clause.operator)) return `only ${rule.operators.join(", ")} pin ${clause.key}`;
    for (const value of clause.values) {
        // S3: "fixed values (values that don't contain a wildcard or an AWS Identity and Access
        // Management Policy Variable)"; in an equality operator `*` is literal, yet not fixed.
        if (value.includes("${")) return `${JSON.stringify(value)} is a policy variable, not a fixed value`;
        const why = (EQUALITY.includes(clause.operator) ? noWildcard(value) : undefined) ?? rule.value(value, clause.operator);
        if (why) return why;
    }
    return undefined;
}
