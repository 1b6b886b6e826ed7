import * as assert from "node:assert/strict";
import fc from "fast-check";
import { parsePolicy, type Statement } from "../../policypack/iam";
import { accountWitnesses, regionWitnesses, type AccountSpace } from "../../policypack/personalize/account-search";
import {
    admission,
    assume,
    foreignAdmissions,
    trustProblems,
    personalizeArn,
    type TrustSubject,
} from "../../policypack/personalize/trust-proof";

const ROLE = "arn:aws:iam::123456789012:role/personalize-role";
const IMPORT = "dataset-import-job/personalize-import";

function statementsOf(document: object): Statement[] {
    const parsed = parsePolicy(document, "resource");
    if (!parsed.ok) throw new Error(parsed.problems.join("; "));
    return parsed.statements;
}

/** A trust policy of the given Version (none when undefined): an Allow with the first condition, a Deny with each other. */
function trustIn(version: string | undefined, ...conditions: object[]): Statement[] {
    return statementsOf({
        ...(version !== undefined && { Version: version }),
        Statement: conditions.map((Condition, i) => ({
            Effect: i === 0 ? "Allow" : "Deny",
            Principal: { Service: "personalize.amazonaws.com" },
            Action: "sts:AssumeRole",
            Condition,
        })),
    });
}

const trust = (...conditions: object[]) => trustIn("2012-10-17", ...conditions);

describe("trust proof: the document's version", () => {
    const condition = { StringLike: { "aws:SourceArn": "arn:aws:personalize:eu-west-1:${aws:SourceAccount}:*" } };
    const own = { account: "123456789012", arn: personalizeArn("aws", "eu-west-1", "123456789012", IMPORT) };
    const literal = { account: "123456789012", arn: "arn:aws:personalize:eu-west-1:${aws:SourceAccount}:x" };

    it("resolves ${aws:SourceAccount} from the request in 2012-10-17 only; elsewhere it is the literal text", () => {
        assert.equal(assume(trustIn("2012-10-17", condition), ROLE, own).decision, "Allowed");
        assert.equal(assume(trustIn("2012-10-17", condition), ROLE, literal).decision, "ImplicitDeny");
        for (const version of ["2008-10-17", undefined]) {
            assert.equal(assume(trustIn(version, condition), ROLE, own).decision, "ImplicitDeny", String(version));
            assert.equal(assume(trustIn(version, condition), ROLE, literal).decision, "Allowed", String(version));
        }
    });
});

describe("trust proof: witnesses", () => {
    const where = { partition: "aws", regions: ["eu-west-1"], resources: [IMPORT] };

    it("finds one account per combination of patterns that some account meets, the stack's own apart", () => {
        const statements = trust({ StringLike: { "aws:SourceAccount": "1*" } }, { StringLike: { "aws:SourceAccount": "12*" } });
        assert.deepEqual(accountWitnesses(statements, where, ["123456789012"]), [
            "000000000000",
            "100000000000",
            "120000000000",
            "123456789012",
        ]);
    });

    it("follows a pattern over the whole source ARN across the account's digits", () => {
        const statements = trust({ StringLike: { "aws:SourceArn": "arn:aws:personalize:eu-west-1:4*7:*" } });
        assert.deepEqual(accountWitnesses(statements, where, []), ["000000000000", "400000000007"]);
        assert.deepEqual(accountWitnesses(statements, { ...where, regions: ["us-east-1"] }, []), ["000000000000"]);
    });

    it("compares ARNs case-insensitively for the IgnoreCase operators only", () => {
        const arn = "ARN:AWS:PERSONALIZE:EU-WEST-1:999999999999:DATASET-IMPORT-JOB/PERSONALIZE-IMPORT";
        const ignoringCase = trust({ StringEqualsIgnoreCase: { "aws:SourceArn": arn } });
        assert.deepEqual(accountWitnesses(ignoringCase, where, []), ["000000000000", "999999999999"]);
        const exact = trust({ StringEquals: { "aws:SourceArn": arn } });
        assert.deepEqual(accountWitnesses(exact, where, []), ["000000000000"]);
    });

    it("follows a pattern that reads the same digit again and again (a leading *)", () => {
        const statements = trust({ StringLike: { "aws:SourceAccount": "*1" } });
        assert.deepEqual(accountWitnesses(statements, where, []), ["000000000000", "000000000001"]);
    });

    it("follows one ARN pattern from each state the regions leave it in", () => {
        // After eu-west-1 the pattern may be at "4*" already; after eu-west-2 it still waits for "1:".
        const statements = trust({ StringLike: { "aws:SourceArn": "arn:aws:personalize:*1:4*" } });
        assert.deepEqual(accountWitnesses(statements, { ...where, regions: ["eu-west-1", "eu-west-2"] }, []), [
            "000000000000",
            "400000000000",
        ]);
    });

    it("takes BinaryEquals values as exact text, as the evaluator compares them", () => {
        const statements = trust({ BinaryEquals: { "aws:SourceAccount": "999999999999" } });
        assert.deepEqual(accountWitnesses(statements, where, []), ["000000000000", "999999999999"]);
    });

    it("splits accounts at a numeric bound: below, equal, above", () => {
        const statements = trust({ NumericLessThan: { "aws:SourceAccount": "500000000000" } });
        assert.deepEqual(accountWitnesses(statements, where, []), ["000000000000", "500000000000", "500000000001"]);
    });

    it("tries the stack's region, the regions the trust names, and one region per group its patterns tell apart", () => {
        const statements = trust({ StringLike: { "aws:SourceArn": ["arn:aws:personalize:eu-*", "arn:aws:personalize:ap-south-1:1:*"] } });
        assert.deepEqual(regionWitnesses(statements, "aws", "us-west-2"), ["us-west-2", "ap-south-1", "us-east-1", "eu-west-1"]);
        const variable = trust({ StringLike: { "aws:SourceArn": "arn:aws:personalize:sa-*:${aws:SourceAccount}:*" } });
        assert.deepEqual(regionWitnesses(variable, "aws", undefined), ["us-east-1", "sa-east-1"]);
    });
});

/**
 * Brute force in a small account space: every account, from every region of the partition,
 * against the witnesses' verdict. Patterns use the space's digits, wildcards, policy variables,
 * negated and IfExists operators, numeric bounds, ARN operators and Deny statements.
 */
describe("trust proof: the witness search against brute force", () => {
    const space: AccountSpace = { length: 4, digits: "019" };
    const regions = ["us-east-1", "eu-west-1", "eu-central-1", "sa-east-1"];
    const all: string[] = [];
    const grow = (prefix: string): void => {
        if (prefix.length === space.length) all.push(prefix);
        else for (const d of space.digits) grow(prefix + d);
    };
    grow("");

    const accountPattern = fc.oneof(
        fc.array(fc.constantFrom("0", "1", "9", "*", "?"), { minLength: 1, maxLength: 5 }).map(a => a.join("")),
        fc.constantFrom(...all),
    );
    const account = fc.oneof(accountPattern, fc.constant("${aws:SourceAccount}"));
    const region = fc.constantFrom("eu-west-1", "us-east-1", "*", "eu-*", "us-?ast-1", "sa-*", "eu-c*");
    const resource = fc.constantFrom("*", "dataset-import-job/*", "batch-*");
    const arnValue = fc.oneof(
        fc.tuple(region, account, resource).map(([r, a, res]) => `arn:aws:personalize:${r}:${a}:${res}`),
        fc.tuple(region, account).map(([r, a]) => `arn:aws:personalize:${r}:${a}*`),
        account.map(a => `*${a}*`),
    );
    const values = <T>(item: fc.Arbitrary<T>) => fc.array(item, { minLength: 1, maxLength: 2 });
    const accountOperators = ["StringEquals", "StringNotEquals", "StringLike", "StringNotLike", "StringEqualsIfExists"];
    const numericOperators = ["NumericLessThan", "NumericGreaterThanEquals", "NumericEquals"];
    const arnOperators = ["StringLike", "StringNotLike", "ArnLike", "ArnNotLike", "StringEquals"];
    const versions = ["2012-10-17", "2008-10-17"];
    const clause = fc.oneof(
        fc.record({
            operator: fc.constantFrom(...accountOperators),
            key: fc.constant("aws:SourceAccount"),
            values: values(accountPattern),
        }),
        fc.record({
            operator: fc.constantFrom(...numericOperators),
            key: fc.constant("aws:SourceAccount"),
            values: values(fc.oneof(fc.integer({ min: 0, max: 9999 }).map(String), fc.constant("910.5"))),
        }),
        fc.record({
            operator: fc.constantFrom(...arnOperators),
            key: fc.constant("aws:SourceArn"),
            values: values(arnValue),
        }),
    );
    const statement = fc.record({
        effect: fc.constantFrom("Allow", "Allow", "Deny"),
        clauses: fc.array(clause, { minLength: 0, maxLength: 3 }),
    });
    const stackCase = fc.record({
        version: fc.constantFrom(versions[0], ...versions),
        statements: fc.array(statement, { minLength: 1, maxLength: 3 }),
        account: fc.option(fc.constantFrom(...all), { nil: undefined }),
        region: fc.constantFrom("eu-west-1", "us-east-1"),
    });

    // 100 cases (this test ran 200): every feature below is still met both where a foreign account
    // is admitted and where none is, at least 3 times each, which the end of the test asserts.
    const CASES = 100;
    const features = [
        ...accountOperators.map(op => `aws:SourceAccount ${op}`),
        ...numericOperators.map(op => `aws:SourceAccount ${op}`),
        ...arnOperators.map(op => `aws:SourceArn ${op}`),
        ...versions.map(v => `Version ${v}`),
        "a Deny",
        "a policy variable",
        "the stack's account unknown",
    ];

    it("finds an admitted foreign account exactly when one exists, and every such account the trust names", () => {
        let withForeign = 0;
        const met = { admitted: new Map<string, number>(), refused: new Map<string, number>() };
        fc.assert(
            fc.property(stackCase, c => {
                const document = {
                    Version: c.version,
                    Statement: c.statements.map(s => ({
                        Effect: s.effect,
                        Principal: { Service: "personalize.amazonaws.com" },
                        Action: "sts:AssumeRole",
                        Condition: Object.fromEntries(
                            [...new Set(s.clauses.map(x => x.operator))].map(op => [
                                op,
                                Object.fromEntries(s.clauses.filter(x => x.operator === op).map(x => [x.key, x.values])),
                            ]),
                        ),
                    })),
                };
                const statements = statementsOf(document);
                const subject: TrustSubject = {
                    roleArn: ROLE,
                    partition: "aws",
                    account: c.account,
                    region: c.region,
                    accountSource: "pack config (account)",
                    regionSource: "pack config (region)",
                    resources: [IMPORT, "batch-inference-job/personalize-batch"],
                    space,
                    regions,
                };
                const found = foreignAdmissions(statements, subject);
                // Every foreign account, from every region and resource; one admitting source is enough.
                const sources = [...new Set([c.region, ...regions])].flatMap(r => subject.resources.map(res => [r, res] as const));
                const brute = new Set(
                    all.filter(
                        a =>
                            a !== c.account &&
                            sources.some(([r, res]) =>
                                admission(assume(statements, ROLE, { account: a, arn: personalizeArn("aws", r, a, res) })),
                            ),
                    ),
                );
                for (const [a, { arn }] of found) {
                    assert.ok(brute.has(a), `witness ${a} (${arn}) is not admitted by brute force`);
                }
                assert.equal(found.size > 0, brute.size > 0, JSON.stringify({ document, brute: [...brute], found: [...found.keys()] }));
                const named = new Set(
                    statements.flatMap(s =>
                        s.conditions
                            .filter(x => /^String(Equals|Like)/.test(x.baseOperator) && x.key === "aws:SourceAccount")
                            .flatMap(x => x.values),
                    ),
                );
                for (const a of brute) if (named.has(a)) assert.ok(found.has(a), `named account ${a} admitted but not reported`);
                if (brute.size > 0) withForeign++;
                const tally = brute.size > 0 ? met.admitted : met.refused;
                const clauses = c.statements.flatMap(s => s.clauses);
                for (const feature of new Set([
                    ...clauses.map(x => `${x.key} ${x.operator}`),
                    `Version ${c.version}`,
                    ...(c.statements.some(s => s.effect === "Deny") ? ["a Deny"] : []),
                    ...(clauses.some(x => x.values.some(v => v.includes("${"))) ? ["a policy variable"] : []),
                    ...(c.account === undefined ? ["the stack's account unknown"] : []),
                ])) {
                    tally.set(feature, (tally.get(feature) ?? 0) + 1);
                }
            }),
            { numRuns: CASES, seed: 7 },
        );
        assert.ok(withForeign > CASES / 5, `only ${withForeign} of ${CASES} cases admit a foreign account`);
        const rare = features.filter(f => (met.admitted.get(f) ?? 0) < 3 || (met.refused.get(f) ?? 0) < 3);
        assert.deepEqual(rare, [], JSON.stringify({ admitted: [...met.admitted], refused: [...met.refused] }));
    });
});

describe("trust proof: requests without aws:SourceAccount", () => {
    const subject: TrustSubject = {
        roleArn: ROLE,
        partition: "aws",
        account: "123456789012",
        region: "eu-west-1",
        accountSource: "pack config (account)",
        regionSource: "pack config (region)",
        resources: [IMPORT, "batch-inference-job/personalize-batch", "batch-segment-job/personalize-batch"],
    };
    const segmentJobs = "arn:aws:personalize:eu-west-1:123456789012:batch-segment-job/";

    // The trust admits one resource type only; the request found must come from it, not from a
    // group of source ARNs that another resource stands for.
    for (const [operator, value] of [
        ["StringLike", `${segmentJobs}*`],
        ["BinaryEquals", `${segmentJobs}personalize-batch`],
    ]) {
        it(`finds the one source ARN ${operator} admits without the account`, () => {
            const statements = trust({
                StringEqualsIfExists: { "aws:SourceAccount": "123456789012" },
                [operator]: { "aws:SourceArn": value },
            });
            assert.equal(
                trustProblems(statements, subject)[0],
                `statement "Statement[0]" lets Personalize assume the role when its request carries no aws:SourceAccount ` +
                    `(a confused deputy could use it); add StringEquals aws:SourceAccount = 123456789012`,
            );
        });
    }
});
