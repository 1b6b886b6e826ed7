import assert from "node:assert/strict";
import fc from "fast-check";
import { policies } from "../../policypack/policies";
import { StackBuilder, guideBucketPolicy, personalizeTrust, serviceRoleTags } from "./stack-builder";

/**
 * Fuzzing the whole pack: random JSON and structured-but-wrong policy documents and tags, fed to a
 * Personalize stack as its bucket policy (raw and string-encoded), its role's trust and access
 * policies, and its bucket's tags. Whatever the input, every policy must give a verdict: no
 * exception, and either no violation or violations with a message and a known policy name.
 */

const SEED = 20240917;
const POLICY_NAMES = new Set(policies.map(p => p.name));
const DEFAULT_LEVEL = new Map(policies.map(p => [p.name, p.enforcementLevel]));

const B = "data-bucket";
const ARN = `arn:aws:s3:::${B}`;
const OBJECTS = `${ARN}/*`;
const ROLE = "personalize-role";
const BATCH_ACTIONS = ["s3:GetObject", "s3:ListBucket", "s3:PutObject"];
type Workflow = "import" | "batch";

const grantFor = (workflow: Workflow) =>
    guideBucketPolicy(B, workflow === "batch" ? BATCH_ACTIONS : ["s3:GetObject", "s3:ListBucket"]).Statement[0];
const roleGrantFor = (workflow: Workflow) => {
    const { Principal: _principal, ...grant } = grantFor(workflow);
    return grant;
};
const TRUST_STATEMENT = personalizeTrust().Statement[0];

interface Parts {
    workflow?: Workflow;
    tags?: unknown;
    bucketPolicy?: unknown;
    trust?: unknown;
    rolePolicy?: unknown;
}

/** A valid Personalize stack (like validStack) with some of its parts replaced. */
function stackWith(parts: Parts): StackBuilder {
    const workflow = parts.workflow ?? "batch";
    const stack = new StackBuilder();
    const tags = "tags" in parts ? parts.tags : { "personalize-workflow": workflow, "personalize-batch-output": "batch/output/" };
    stack.bucket(B, tags as Record<string, unknown>);
    stack.publicAccessBlock(B);
    stack.object(B, "import/interactions.csv");
    stack.bucketPolicy(
        B,
        "bucketPolicy" in parts ? parts.bucketPolicy : JSON.stringify({ Version: "2012-10-17", Statement: [grantFor(workflow)] }),
    );
    stack.role(ROLE, "trust" in parts ? parts.trust : JSON.stringify(personalizeTrust()), serviceRoleTags(B));
    stack.rolePolicy(
        ROLE,
        "rolePolicy" in parts ? parts.rolePolicy : JSON.stringify({ Version: "2012-10-17", Statement: [roleGrantFor(workflow)] }),
    );
    return stack;
}

type Outcome = "passed" | "flagged";
const tally: Record<string, Record<Outcome, number>> = {};

/** Runs every policy of the pack; fails the property on an exception or a violation that is no verdict. */
async function verdict(property: string, parts: Parts): Promise<Outcome> {
    const report = await stackWith(parts).run(policies);
    assert.deepEqual(report.notApplicable, []);
    for (const v of report.violations) {
        assert.ok(POLICY_NAMES.has(v.policy), `unknown policy ${v.policy}`);
        assert.equal(typeof v.message, "string");
        assert.ok(v.message.trim().length > 0, `${v.policy} reported an empty message`);
        assert.equal(v.enforcementLevel, DEFAULT_LEVEL.get(v.policy), `${v.policy}: ${v.message}`);
        assert.ok(!v.message.includes("[object Object]"), `${v.policy} printed an object as [object Object]: ${v.message}`);
    }
    const outcome: Outcome = report.violations.length === 0 ? "passed" : "flagged";
    tally[property] ??= { passed: 0, flagged: 0 };
    tally[property][outcome]++;
    return outcome;
}

// --- Generators ---------------------------------------------------------------------------------

const json = (maxDepth = 3) => fc.jsonValue({ maxDepth });
const ABSENT = Symbol("absent");
/** The value with odds present:absent, else no element at all. */
const maybe = <T>(arb: fc.Arbitrary<T>, present = 9, absent = 1) =>
    fc.oneof({ weight: present, arbitrary: arb as fc.Arbitrary<T | typeof ABSENT> }, { weight: absent, arbitrary: fc.constant(ABSENT) });

/** Nested arrays or objects a few hundred levels deep. */
const deepJunk = fc
    .tuple(fc.integer({ min: 20, max: 400 }), fc.constantFrom("array", "Statement", "Condition"), json(1))
    .map(([depth, shape, leaf]) => {
        let value: unknown = leaf;
        for (let i = 0; i < depth; i++) value = shape === "array" ? [value] : { [shape]: value };
        return value;
    });

const ACTIONS = [
    "s3:GetObject",
    "s3:ListBucket",
    "s3:PutObject",
    "s3:*",
    "S3:GETOBJECT",
    "s3:Get*",
    "s3:Ge?Object",
    "*",
    "s3:GetObjectAcl",
    "s3:DeleteObject",
    "sts:AssumeRole",
    "iam:PassRole",
    "s3 GetObject",
    "s3:",
    ":x",
];
const actionElement = fc.oneof(
    { weight: 5, arbitrary: fc.subarray(ACTIONS, { minLength: 1, maxLength: 4 }) },
    { weight: 3, arbitrary: fc.constantFrom(...ACTIONS) },
    { weight: 1, arbitrary: fc.oneof(fc.integer(), fc.constant([]), fc.constant(""), fc.constant(null), json(2)) },
);

const PRINCIPALS: unknown[] = [
    "*",
    { AWS: "*" },
    { AWS: ["arn:aws:iam::123456789012:root", "*"] },
    { AWS: "arn:aws:iam::123456789012:root" },
    { Service: ["personalize.amazonaws.com", "glue.amazonaws.com"] },
    { Service: "glue.amazonaws.com" },
    { service: "personalize.amazonaws.com" },
    { Foo: "bar" },
    {},
    { Service: [] },
    { Service: 5 },
    "personalize.amazonaws.com",
    null,
];
const principalElement = fc.oneof(
    { weight: 6, arbitrary: fc.constant({ Service: "personalize.amazonaws.com" }) },
    { weight: 3, arbitrary: fc.constantFrom(...PRINCIPALS) },
    { weight: 1, arbitrary: json(2) },
);

const RESOURCES: unknown[] = [
    "*",
    `${ARN}*`,
    OBJECTS,
    ARN,
    "arn:aws:s3:::other-bucket/*",
    `arn:aws-cn:s3:::${B}/*`,
    "arn:aws:s3:::Data-Bucket/*",
    "arn:aws:s3:*",
    `${ARN}/batch/output/*`,
    `${ARN}/\${aws:username}/*`,
    "not-an-arn",
    [],
    "",
];
const resourceElement = fc.oneof(
    { weight: 6, arbitrary: fc.constant([ARN, OBJECTS]) },
    { weight: 3, arbitrary: fc.constantFrom(...RESOURCES) },
    { weight: 1, arbitrary: fc.oneof(fc.integer(), json(2)) },
);

const effectElement = fc.oneof(
    { weight: 6, arbitrary: fc.constant("Allow") },
    { weight: 3, arbitrary: fc.constant("Deny") },
    { weight: 1, arbitrary: fc.oneof(fc.constantFrom("allow", "DENY", "", "Permit"), fc.constant(null), fc.integer(), json(1)) },
);

const KEY_NAMES = [
    "aws:SourceVpce",
    "aws:SourceVpc",
    "aws:SourceVpcArn",
    "aws:VpcSourceIp",
    "aws:VpceAccount",
    "aws:VpceOrgID",
    "aws:VpceOrgPaths",
    "aws:SourceIp",
    "aws:SourceAccount",
    "aws:SourceArn",
    "aws:SecureTransport",
    "aws:PrincipalOrgID",
    "aws:PrincipalIsAWSService",
    "aws:ViaAWSService",
    "aws:PrincipalServiceName",
    "s3:prefix",
    "s3:TlsVersion",
    "aws:userid",
];
/** A key name in random case: IAM compares key names case-insensitively. */
const conditionKey = fc.oneof(
    {
        weight: 8,
        arbitrary: fc
            .tuple(fc.constantFrom(...KEY_NAMES), fc.constantFrom("as-is", "lower", "upper"))
            .map(([k, c]) => (c === "lower" ? k.toLowerCase() : c === "upper" ? k.toUpperCase() : k)),
    },
    { weight: 1, arbitrary: fc.string() },
);
const OPERATORS = [
    "StringEquals",
    "StringNotEquals",
    "StringLike",
    "StringNotLike",
    "StringEqualsIgnoreCase",
    "Bool",
    "BoolIfExists",
    "Null",
    "IpAddress",
    "NotIpAddress",
    "ArnLike",
    "ArnNotEquals",
    "NumericLessThan",
    "DateGreaterThan",
    "ForAnyValue:StringEquals",
    "ForAllValues:StringNotLike",
    "ForAnyValue:StringNotEqualsIfExists",
    "StringNotEqualsIfExists",
    "stringequals",
    "StringEqualsAlmost",
    "For:Bar",
    "ForAnyValue:",
    "IfExists",
    "",
];
const conditionOperator = fc.oneof({ weight: 8, arbitrary: fc.constantFrom(...OPERATORS) }, { weight: 1, arbitrary: fc.string() });
const VALUES = [
    "true",
    "false",
    "vpce-1a2b3c4d",
    "vpc-111bbb22",
    "123456789012",
    "arn:aws:personalize:*",
    "10.0.0.0/8",
    "0.0.0.0/0",
    "*",
    "o-a1b2c3d4e5",
    "1.2",
    "2020-01-01T00:00:00Z",
    "${aws:SourceAccount}",
    "${aws:x, 'y'}",
];
const conditionValue = fc.oneof(
    { weight: 6, arbitrary: fc.constantFrom(...VALUES) },
    { weight: 3, arbitrary: fc.subarray(VALUES, { minLength: 1, maxLength: 3 }) },
    { weight: 2, arbitrary: fc.oneof(fc.integer(), fc.boolean(), fc.double(), fc.constant(null), fc.constant([]), json(2)) },
);
const conditionElement = fc.oneof(
    {
        weight: 8,
        arbitrary: fc.dictionary(conditionOperator, fc.dictionary(conditionKey, conditionValue, { minKeys: 0, maxKeys: 3 }), {
            minKeys: 0,
            maxKeys: 3,
        }),
    },
    { weight: 1, arbitrary: json(2) },
);

/** A statement: mostly well-formed elements, some wrong, some missing, sometimes junk or a wrong-case element name. */
function statementArb(kind: "resource" | "identity"): fc.Arbitrary<unknown> {
    const principalPresence = kind === "resource" ? 12 : 1;
    const record = fc
        .record({
            Sid: maybe(fc.oneof(fc.constantFrom("S1", "S2", "DenyThing"), fc.string(), fc.integer()), 1),
            Effect: maybe(effectElement, 20),
            Principal: maybe(principalElement, principalPresence),
            NotPrincipal: maybe(principalElement, 1, 10),
            Action: maybe(actionElement, 20),
            NotAction: maybe(actionElement, 1, 10),
            Resource: maybe(resourceElement, kind === "identity" ? 20 : 8),
            NotResource: maybe(resourceElement, 1, 10),
            Condition: maybe(conditionElement, 1, 2),
            // Junk elements: a wrong-case element name or a random one.
            junkName: maybe(fc.oneof(fc.constantFrom("effect", "ACTION", "Resources", "Conditions"), fc.string()), 1, 20),
            junkValue: json(2),
        })
        .map(({ junkName, junkValue, ...elements }) => {
            const statement: Record<string, unknown> = {};
            for (const [k, v] of Object.entries(elements)) if (v !== ABSENT) statement[k] = v;
            if (junkName !== ABSENT) statement[junkName as string] = junkValue;
            return statement;
        });
    return fc.oneof({ weight: 20, arbitrary: record }, { weight: 1, arbitrary: json(3) });
}

/**
 * A policy document around statements: often a known-good grant plus random extra statements (so
 * both outcomes are reached), sometimes Statement as one object, a string, null, or junk; Version
 * mostly right; sometimes an extra or missing top-level element; deeply nested junk now and then.
 */
function documentArb(kind: "resource" | "identity", goodStatement: unknown): fc.Arbitrary<unknown> {
    const statement = statementArb(kind);
    const statements = fc.oneof(
        {
            weight: 12,
            arbitrary: fc
                .tuple(fc.boolean(), fc.array(statement, { maxLength: 3 }))
                .map(([good, rest]) => (good ? [goodStatement, ...rest] : rest)),
        },
        { weight: 2, arbitrary: statement },
        { weight: 1, arbitrary: fc.oneof(fc.string(), fc.constant(null), fc.integer(), json(2), deepJunk) },
    );
    return fc
        .record({
            Version: maybe(
                fc.oneof(
                    { weight: 10, arbitrary: fc.constant("2012-10-17") },
                    { weight: 1, arbitrary: fc.oneof(fc.constantFrom("2008-10-17", "2012-10-18", ""), fc.integer(), fc.constant(null)) },
                ),
                10,
            ),
            Id: maybe(fc.string(), 3, 10),
            Statement: maybe(statements, 30),
            junk: maybe(fc.tuple(fc.oneof(fc.constantFrom("statement", "Statements", "version"), fc.string()), json(2)), 1, 20),
        })
        .map(({ junk, ...elements }) => {
            const doc: Record<string, unknown> = {};
            for (const [k, v] of Object.entries(elements)) if (v !== ABSENT) doc[k] = v;
            if (junk !== ABSENT) doc[junk[0]] = junk[1];
            return doc;
        });
}

/** A document as an object, as its JSON text, or (rarely) as broken JSON text. */
function encoded(arb: fc.Arbitrary<unknown>): fc.Arbitrary<unknown> {
    return fc.tuple(arb, fc.constantFrom("raw", "string", "string", "broken")).map(([doc, how]) => {
        if (how === "raw") return doc;
        const text = JSON.stringify(doc);
        return how === "broken" ? text.slice(0, Math.max(0, text.length - 1)) : text;
    });
}

const workflowArb = fc.constantFrom<Workflow>("import", "batch");
const structuredBucketPolicy = workflowArb.chain(workflow =>
    fc.record({ workflow: fc.constant(workflow), bucketPolicy: encoded(documentArb("resource", grantFor(workflow))) }),
);
/** The trust policy, the role policy or both replaced (so that passes are reached too). */
const structuredRolePolicies = fc.tuple(workflowArb, fc.constantFrom("trust", "rolePolicy", "both")).chain(([workflow, which]) =>
    fc.record({
        workflow: fc.constant(workflow),
        ...(which !== "rolePolicy" && { trust: encoded(documentArb("resource", TRUST_STATEMENT)) }),
        ...(which !== "trust" && { rolePolicy: encoded(documentArb("identity", roleGrantFor(workflow))) }),
    }),
);
const structuredTags = fc
    .record({
        workflow: maybe(
            fc.oneof(
                { weight: 6, arbitrary: fc.constantFrom("import", "batch") },
                {
                    weight: 2,
                    arbitrary: fc.oneof(fc.constantFrom("Import", "BATCH", "", "export"), fc.integer(), fc.constant(null), json(1)),
                },
            ),
            12,
        ),
        output: maybe(
            fc.oneof(
                fc.constantFrom("batch/output/", "batch/output", "/batch/output//", "/", "", "../x"),
                fc.string(),
                fc.integer(),
                fc.constant(null),
                json(1),
            ),
            2,
        ),
        other: fc.dictionary(fc.string(), fc.oneof(fc.string(), json(1)), { maxKeys: 2 }),
    })
    .map(({ workflow, output, other }) => ({
        ...other,
        ...(workflow !== ABSENT && { "personalize-workflow": workflow }),
        ...(output !== ABSENT && { "personalize-batch-output": output }),
    }));

// Shares of the inputs per property. `npm test` runs 2,000 inputs in all (every property reaches
// both outcomes at that size); FUZZ_INPUTS=10000 npx mocha tests/policypack/fuzz.spec.ts runs more.
const SHARES = {
    jsonBucketPolicy: 0.15,
    structuredBucketPolicy: 0.3,
    jsonRolePolicies: 0.1,
    structuredRolePolicies: 0.2,
    tags: 0.15,
    deepJunk: 0.1,
};
const INPUTS = Number(process.env.FUZZ_INPUTS ?? 2000);
const RUNS = Object.fromEntries(Object.entries(SHARES).map(([name, share]) => [name, Math.round(INPUTS * share)])) as Record<
    keyof typeof SHARES,
    number
>;

async function check<T>(name: keyof typeof RUNS, arb: fc.Arbitrary<T>, toParts: (value: T) => Parts): Promise<void> {
    await fc.assert(
        fc.asyncProperty(arb, async value => {
            await verdict(name, toParts(value));
        }),
        { seed: SEED, numRuns: RUNS[name] },
    );
}

function assertBothOutcomes(name: string): void {
    const { passed, flagged } = tally[name];
    assert.ok(passed > 0 && flagged > 0, `${name}: the generator should reach both outcomes, got ${passed} passed, ${flagged} flagged`);
}

describe("fuzz: every policy of the pack gives a verdict on any input", function () {
    this.timeout(60_000);

    after(() => {
        const line = Object.entries(tally)
            .map(([name, t]) => `${name} ${t.passed} passed/${t.flagged} flagged`)
            .join("; ");
        const total = Object.values(tally).reduce((sum, t) => ({ passed: sum.passed + t.passed, flagged: sum.flagged + t.flagged }), {
            passed: 0,
            flagged: 0,
        });
        console.log(
            `fuzz (seed ${SEED}): ${total.passed + total.flagged} inputs, ${total.passed} passed, ${total.flagged} flagged: ${line}`,
        );
    });

    it("random JSON as the bucket policy, raw and string-encoded", async () => {
        await check("jsonBucketPolicy", encoded(json(5)), bucketPolicy => ({ bucketPolicy }));
    });

    it("structured-but-wrong bucket policies, raw and string-encoded, reach both pass and flagged", async () => {
        await check("structuredBucketPolicy", structuredBucketPolicy, parts => parts);
        assertBothOutcomes("structuredBucketPolicy");
    });

    it("random JSON as the role's trust policy and role policy", async () => {
        await check(
            "jsonRolePolicies",
            fc.tuple(encoded(json(4)), encoded(json(4)), fc.constantFrom("trust", "rolePolicy", "both")),
            ([a, b, which]) => ({
                ...(which !== "rolePolicy" && { trust: a }),
                ...(which !== "trust" && { rolePolicy: b }),
            }),
        );
    });

    it("structured-but-wrong trust and role policies reach both pass and flagged", async () => {
        await check("structuredRolePolicies", structuredRolePolicies, parts => parts);
        assertBothOutcomes("structuredRolePolicies");
    });

    it("random and structured bucket tags reach both pass and flagged", async () => {
        const tagsArb = fc.oneof({ weight: 3, arbitrary: structuredTags as fc.Arbitrary<unknown> }, { weight: 1, arbitrary: json(3) });
        await check("tags", tagsArb, tags => ({ tags }));
        assertBothOutcomes("tags");
    });

    it("deeply nested junk in every slot at once", async () => {
        await check("deepJunk", fc.tuple(deepJunk, deepJunk, deepJunk, fc.constantFrom("raw", "string")), ([a, b, c, how]) => {
            const enc = (v: unknown) => (how === "raw" ? v : JSON.stringify(v));
            return { bucketPolicy: enc(a), trust: enc(b), rolePolicy: enc(c), tags: a };
        });
    });
});
