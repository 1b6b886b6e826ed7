import assert from "node:assert/strict";
import * as path from "node:path";
import fc from "fast-check";
import { loadPolicy } from "@cloud-copilot/iam-policy";
import { parsePolicy, type Statement } from "../../policypack/iam";
import { classifyStatement, whyNotPinning } from "../../policypack/aws/s3-public-policy";

/**
 * The pack's reading of "public" against S3's Block Public Access classifier as
 * @cloud-copilot/iam-simulate implements it (AGPL-3.0, dev-only: never imported by policypack/),
 * on generated bucket-policy statements. Every disagreement must fall in one of the deliberate
 * categories below, each backed by an AWS documentation line; the README lists them too.
 */

// The classifier is not exported from the package's entry point; load its module by path.
const { classifyS3RuntimePublicBucketPolicy } = require(
    path.join(path.dirname(require.resolve("@cloud-copilot/iam-simulate")), "services", "s3", "s3BlockPublicAccess.js"),
) as { classifyS3RuntimePublicBucketPolicy(policy: unknown): { result: "public" | "nonPublic" } };

type Doc = Record<string, unknown>;

function oraclePublic(statement: Doc): boolean {
    return classifyS3RuntimePublicBucketPolicy(loadPolicy({ Version: "2012-10-17", Statement: [statement] })).result === "public";
}

function ours(statement: Doc): Statement {
    const parsed = parsePolicy({ Version: "2012-10-17", Statement: [statement] }, "resource");
    if (!parsed.ok) throw new Error(`generated statement doesn't parse: ${parsed.problems.join("; ")}`);
    return parsed.statements[0];
}

/** The deliberate disagreements, each with the AWS documentation line behind it. */
const CATEGORIES = {
    "no-bad-action": {
        direction: "ours not public",
        doc: 'S3 API reference, PublicAccessBlockConfiguration: "The policy grants permissions, not including any \\"bad actions\\" ... \\"Bad actions\\" are ... s3:Get*, s3:List*, s3:AbortMultipartUpload, s3:Delete*, s3:Put*, and s3:RestoreObject." The oracle ignores actions.',
    },
    "federated-principal": {
        direction: "ours public",
        doc: 'S3 User Guide, "The meaning of public": "Under these rules, the following example policies are considered public: { \\"Principal\\": { \\"Federated\\": \\"graph.facebook.com\\" }, ... }". The oracle only counts "*".',
    },
    "not-principal-pinned": {
        direction: "ours not public",
        doc: 'S3 User Guide, "The meaning of public": a policy is non-public when it grants "access only to fixed values ... of one or more of the following: ... aws:SourceArn, aws:SourceVpc, aws:SourceVpce, aws:SourceOwner, aws:SourceAccount ...", whatever its principal element. The oracle calls every NotPrincipal Allow public.',
    },
    "policy-variable": {
        direction: "ours public",
        doc: 'S3 User Guide, "The meaning of public": "fixed values (values that don\'t contain a wildcard or an AWS Identity and Access Management Policy Variable)". The oracle accepts ${...} values.',
    },
    "wildcard-in-equality-value": {
        direction: "ours public",
        doc: 'S3 User Guide, "The meaning of public": "fixed values (values that don\'t contain a wildcard ...)". The oracle accepts StringEquals values such as "*" or "*.amazonaws.com".',
    },
    "private-address-broad-range": {
        direction: "ours public",
        doc: 'S3 User Guide, "The meaning of public": "values broader than /8 for IPv4 and /32 for IPv6 (excluding RFC1918 private ranges)". 10.0.0.0/1 is the range 0.0.0.0-127.255.255.255, not a private one; the oracle exempts any CIDR whose written address starts in a private range.',
    },
    "listed-key-oracle-lacks": {
        direction: "ours not public",
        doc: 'S3 API reference, PublicAccessBlockConfiguration: "A fixed aws:SourceOwner" and "A fixed value of s3:x-amz-server-side-encryption-aws-kms-key-id" pin a grant. The oracle knows neither key.',
    },
} as const;
type Category = keyof typeof CATEGORIES;

/** Why one condition clause pins for one side and not the other, or undefined if no category explains it. */
function clauseCategory(operator: string, key: string, values: string[]): Category | undefined {
    const k = key.toLowerCase();
    if (k === "aws:sourceowner" || k === "s3:x-amz-server-side-encryption-aws-kms-key-id") return "listed-key-oracle-lacks";
    if (values.some(v => v.includes("${"))) return "policy-variable";
    if (["StringEquals", "StringEqualsIgnoreCase", "ForAnyValue:StringEquals"].includes(operator) && values.some(v => /[*?]/.test(v))) {
        return "wildcard-in-equality-value";
    }
    if (k === "aws:sourceip" && values.some(v => /^(10\.|172\.(1[6-9]|2\d|3[01])\.|192\.168\.)[\d.]+\/[0-7]$/.test(v)))
        return "private-address-broad-range";
    return undefined;
}

/** The categories that explain a disagreement, or undefined when something doesn't. */
function explain(doc: Doc, statement: Statement, oursPublic: boolean): Category[] | undefined {
    const { action: _action, notAction: _notAction, ...rest } = statement;
    if (!oursPublic && classifyStatement({ ...rest, action: ["s3:GetObject"] }).public) return ["no-bad-action"];
    if (oursPublic && statement.principal !== "*" && !statement.principal?.AWS?.includes("*") && statement.principal?.Federated) {
        return ["federated-principal"];
    }
    if (!oursPublic && statement.notPrincipal) return ["not-principal-pinned"];
    // The same principal and actions on both sides: the conditions differ. Compare clause by clause.
    const categories: Category[] = [];
    for (const clause of statement.conditions) {
        const oursPins = whyNotPinning(clause) === undefined;
        const oraclePins = !oraclePublic({ ...doc, Condition: { [clause.operator]: { [clause.key]: clause.values } } });
        if (oursPins === oraclePins) continue;
        const category = clauseCategory(clause.operator, clause.key, clause.values);
        if (!category || (CATEGORIES[category].direction === "ours public") !== oraclePins) return undefined;
        categories.push(category);
    }
    return categories.length > 0 ? categories : undefined;
}

// --- Generated statements ------------------------------------------------------------------------

const ACCOUNT = "111122223333";
const VALUES: Record<string, string[]> = {
    account: [ACCOUNT, "*", "1111*", "${aws:PrincipalAccount}"],
    org: ["o-abc123def4", "o-*"],
    vpc: ["vpc-1a2b3c4d", "vpce-1a2b3c4d", "vpc*"],
    arn: [
        `arn:aws:sns:us-east-1:${ACCOUNT}:topic`,
        "arn:aws:sns:us-east-1:*:topic",
        `arn:aws:iam::${ACCOUNT}:role/*`,
        `arn:aws:iam::${ACCOUNT}:role/reader`,
        `arn:aws:*:*:${ACCOUNT}:*`,
        "arn:aws:iam::${aws:PrincipalAccount}:root",
        "*",
    ],
    orgPath: ["o-abc123def4/r-ab12/ou-ab12-11111111/", "o-abc123def4/r-ab12/*", "o-*/r-ab12/", "ou-ab12"],
    service: ["personalize.amazonaws.com", "*.amazonaws.com", "personalize.*", "personalize"],
    bool: ["true", "false", "TRUE"],
    userid: ["AROAEXAMPLEID:*", "AIDAEXAMPLEID", "AROAEXAMPLEID:session", "*:*", "AROA*", "${aws:userid}"],
    ip: [
        "203.0.113.0/24",
        "0.0.0.0/0",
        "0.0.0.0/1",
        "128.0.0.0/1",
        "10.0.0.0/8",
        "10.0.0.0/1",
        "172.16.0.0/12",
        "172.16.0.0/4",
        "192.168.0.0/2",
        "11.0.0.0/8",
        "8.0.0.0/7",
        "::/0",
        "2001:db8::/32",
        "2001:db8::/31",
        "2001:db8::1/128",
        "203.0.113.7",
    ],
    kms: [`arn:aws:kms:eu-west-1:${ACCOUNT}:key/1234abcd`, "arn:aws:kms:*"],
    any: ["*", "?", "${aws:username}", "x"],
};
const KEYS: Record<string, string> = {
    "aws:PrincipalOrgID": "org",
    "aws:PrincipalAccount": "account",
    "aws:SourceAccount": "account",
    "aws:SourceOwner": "account",
    "aws:VpceAccount": "account",
    "aws:SourceVpc": "vpc",
    "aws:SourceVpce": "vpc",
    "aws:VpceOrgID": "org",
    "aws:PrincipalArn": "arn",
    "aws:SourceArn": "arn",
    "aws:SourceVpcArn": "arn",
    "aws:PrincipalOrgPaths": "orgPath",
    "aws:VpceOrgPaths": "orgPath",
    "aws:PrincipalServiceName": "service",
    "aws:PrincipalServiceNamesList": "service",
    "aws:PrincipalIsAWSService": "bool",
    "aws:userid": "userid",
    "aws:SourceIp": "ip",
    "s3:x-amz-server-side-encryption-aws-kms-key-id": "kms",
    "aws:SecureTransport": "bool",
    "s3:prefix": "any",
};
const OPERATORS = [
    "StringEquals",
    "StringEqualsIgnoreCase",
    "StringLike",
    "StringNotEquals",
    "StringNotLike",
    "StringEqualsIfExists",
    "ForAllValues:StringEquals",
    "ForAnyValue:StringEquals",
    "ForAnyValue:StringLike",
    "ArnEquals",
    "ArnLike",
    "ArnNotEquals",
    "IpAddress",
    "NotIpAddress",
    "Bool",
];

const clause = fc
    .record({
        operator: fc.constantFrom(...OPERATORS),
        key: fc.constantFrom(...Object.keys(KEYS)),
        keyCase: fc.constantFrom("as-is", "lower", "upper"),
        // Mostly values fit for the key, sometimes anything.
        foreign: fc.nat({ max: 5 }).map(n => n === 0),
        picks: fc.array(fc.nat(), { minLength: 1, maxLength: 2 }),
    })
    .map(({ operator, key, keyCase, foreign, picks }) => {
        const pool = VALUES[foreign ? "any" : KEYS[key]];
        const values = picks.map(i => pool[i % pool.length]);
        const written = keyCase === "lower" ? key.toLowerCase() : keyCase === "upper" ? key.toUpperCase() : key;
        return { operator, key: written, values };
    });

const PRINCIPALS: Doc[] = [
    { Principal: "*" },
    { Principal: { AWS: "*" } },
    { Principal: { AWS: [`arn:aws:iam::${ACCOUNT}:role/reader`, "*"] } },
    { Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` } },
    { Principal: { Service: "personalize.amazonaws.com" } },
    { Principal: { Federated: "graph.facebook.com" } },
    { NotPrincipal: { AWS: `arn:aws:iam::${ACCOUNT}:root` } },
];
const BAD = ["s3:Get*", "s3:List*", "s3:Put*", "s3:Delete*", "s3:AbortMultipartUpload", "s3:RestoreObject"];
const ACTIONS: Doc[] = [
    { Action: "s3:GetObject" },
    { Action: ["s3:ListBucket", "s3:PutObject"] },
    { Action: "s3:*" },
    { Action: "*" },
    { Action: "s3:Get*" },
    { Action: "s3:*Object" },
    { Action: "s3:ReplicateObject" },
    { Action: ["s3:CreateJob", "s3:ReplicateTags"] },
    { NotAction: "s3:GetObject" },
    { NotAction: BAD },
];

const statementArbitrary = fc
    .record({
        effect: fc.constantFrom("Allow", "Allow", "Allow", "Deny"),
        principal: fc.constantFrom(...PRINCIPALS),
        action: fc.constantFrom(...ACTIONS),
        clauses: fc.array(clause, { maxLength: 3 }),
    })
    .map(({ effect, principal, action, clauses }) => {
        const condition: Record<string, Record<string, string[]>> = {};
        for (const c of clauses) (condition[c.operator] ??= {})[c.key] = c.values;
        return {
            Effect: effect,
            ...principal,
            ...action,
            Resource: "arn:aws:s3:::data-bucket/*",
            ...(clauses.length > 0 && { Condition: condition }),
        } as Doc;
    });

describe("S3's meaning of public: the pack against iam-simulate's Block Public Access classifier", () => {
    it("agrees on 2,000 generated statements, except in the deliberate categories", () => {
        const statements = fc.sample(statementArbitrary, { numRuns: 2000, seed: 20260801 });
        const tally = { agreePublic: 0, agreeNotPublic: 0 };
        const deliberate = new Map<Category, number>();
        const unexplained: Doc[] = [];
        for (const doc of statements) {
            const statement = ours(doc);
            const oursPublic = classifyStatement(statement).public;
            if (oursPublic === oraclePublic(doc)) {
                tally[oursPublic ? "agreePublic" : "agreeNotPublic"]++;
                continue;
            }
            const categories = explain(doc, statement, oursPublic);
            if (!categories) unexplained.push(doc);
            for (const c of categories ?? []) deliberate.set(c, (deliberate.get(c) ?? 0) + 1);
        }
        assert.deepEqual(unexplained.slice(0, 5), [], `${unexplained.length} unexplained disagreements`);
        // Both verdicts are common, and the generator reaches every deliberate category.
        assert.ok(tally.agreePublic > 300 && tally.agreeNotPublic > 300, JSON.stringify(tally));
        assert.deepEqual([...deliberate.keys()].sort(), Object.keys(CATEGORIES).sort(), JSON.stringify(Object.fromEntries(deliberate)));
    });
});
