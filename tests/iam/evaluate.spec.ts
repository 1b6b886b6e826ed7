import assert from "node:assert/strict";
import { evaluate, parsePolicy, type RequestEnvelope, type Statement } from "../../policypack/iam";

const PERSONALIZE = { type: "Service" as const, id: "personalize.amazonaws.com" };
const OBJECT = "arn:aws:s3:::bucket/data/interactions.csv";

const parse = (...statements: object[]): Statement[] => {
    const result = parsePolicy(JSON.stringify({ Version: "2012-10-17", Statement: statements }));
    assert.ok(result.ok, JSON.stringify(result));
    return result.statements;
};
const request = (over: Partial<RequestEnvelope> = {}): RequestEnvelope => ({
    principal: PERSONALIZE,
    action: "s3:GetObject",
    resource: OBJECT,
    context: {},
    ...over,
});
const allow = (extra: object = {}) => ({
    Effect: "Allow",
    Principal: "*",
    Action: "s3:GetObject",
    Resource: "arn:aws:s3:::bucket/*",
    ...extra,
});
const decide = (statements: Statement[], over: Partial<RequestEnvelope> = {}, kind: "resource" | "identity" = "resource") =>
    evaluate(statements, request(over), kind).decision;

describe("evaluate", () => {
    it("allows the AWS guide bucket policy for Personalize, and nothing else", () => {
        const policy = parse({
            Effect: "Allow",
            Principal: { Service: "personalize.amazonaws.com" },
            Action: ["s3:GetObject", "s3:ListBucket"],
            Resource: ["arn:aws:s3:::bucket", "arn:aws:s3:::bucket/*"],
        });
        assert.equal(decide(policy), "Allowed");
        assert.equal(decide(policy, { action: "s3:ListBucket", resource: "arn:aws:s3:::bucket" }), "Allowed");
        assert.equal(decide(policy, { action: "s3:PutObject" }), "ImplicitDeny");
        assert.equal(decide(policy, { principal: { type: "Service", id: "glue.amazonaws.com" } }), "ImplicitDeny");
    });

    it("lets an explicit Deny win over any Allow", () => {
        const verdict = evaluate(
            parse(allow(), { Sid: "NoPuts", Effect: "Deny", Principal: "*", NotAction: "s3:Put*", Resource: "*" }),
            request(),
            "resource",
        );
        assert.equal(verdict.decision, "ExplicitDeny");
        assert.deepEqual(
            verdict.deniedBy.map(s => s.label),
            ["NoPuts"],
        );
        assert.equal(verdict.allowedBy.length, 1);
    });

    it("matches actions case-insensitively with * and ?, never by prefix", () => {
        assert.equal(decide(parse(allow({ Action: "S3:getOBJECT" }))), "Allowed");
        assert.equal(decide(parse(allow({ Action: "s3:Get*" })), { action: "s3:GetObjectAcl" }), "Allowed");
        assert.equal(decide(parse(allow({ Action: "s3:GetObject" })), { action: "s3:GetObjectAcl" }), "ImplicitDeny");
        assert.equal(decide(parse(allow({ Action: "s3:?etObject" }))), "Allowed");
        assert.equal(decide(parse(allow({ Action: undefined, NotAction: "s3:PutObject" }))), "Allowed");
        assert.equal(decide(parse(allow({ Action: undefined, NotAction: "s3:Get*" }))), "ImplicitDeny");
    });

    it("matches resources case-sensitively, with * spanning /", () => {
        assert.equal(decide(parse(allow({ Resource: "arn:aws:s3:::Bucket/*" }))), "ImplicitDeny");
        assert.equal(decide(parse(allow({ Resource: "arn:aws:s3:::b?cket/*" }))), "Allowed");
        assert.equal(decide(parse(allow({ Resource: "arn:aws:s3:::*" }))), "Allowed");
        assert.equal(decide(parse(allow({ Resource: "arn:aws:s3:::bucket/data" }))), "ImplicitDeny");
        assert.equal(decide(parse(allow({ Resource: undefined, NotResource: "arn:aws:s3:::other/*" }))), "Allowed");
        assert.equal(decide(parse(allow({ Resource: undefined, NotResource: "arn:aws:s3:::bucket/*" }))), "ImplicitDeny");
    });

    it('matches principals: "*", {"AWS":"*"}, service lists and NotPrincipal', () => {
        assert.equal(decide(parse(allow({ Principal: { AWS: "*" } }))), "Allowed");
        assert.equal(decide(parse(allow({ Principal: { Service: ["glue.amazonaws.com", "personalize.amazonaws.com"] } }))), "Allowed");
        assert.equal(decide(parse(allow({ Principal: { AWS: "arn:aws:iam::111122223333:root" } }))), "ImplicitDeny");
        const denyOthers = { Effect: "Deny", NotPrincipal: { Service: "personalize.amazonaws.com" }, Action: "s3:*", Resource: "*" };
        assert.equal(decide(parse(allow(), denyOthers)), "Allowed");
        assert.equal(decide(parse(allow(), denyOthers), { principal: { type: "Service", id: "glue.amazonaws.com" } }), "ExplicitDeny");
    });

    it("ignores Principal for identity policies and needs a principal for resource policies", () => {
        const identity = parse({ Effect: "Allow", Action: "s3:GetObject", Resource: "*" });
        assert.equal(decide(identity, { principal: undefined }, "identity"), "Allowed");
        const verdict = evaluate(
            parse(allow({ Principal: { Service: "personalize.amazonaws.com" } })),
            request({ principal: undefined }),
            "resource",
        );
        assert.equal(verdict.decision, "ImplicitDeny");
        assert.equal(verdict.undetermined.length, 1);
    });

    describe("conditions", () => {
        const withCondition = (Condition: object) => parse(allow({ Condition }));
        const cases: Array<[string, object, Record<string, string | string[]>, string]> = [
            ["StringEquals", { StringEquals: { "aws:SourceAccount": ["1", "2"] } }, { "aws:sourceaccount": "2" }, "Allowed"],
            [
                "StringEquals is case-sensitive",
                { StringEquals: { "aws:SourceAccount": "abc" } },
                { "aws:SourceAccount": "ABC" },
                "ImplicitDeny",
            ],
            [
                "StringEqualsIgnoreCase",
                { StringEqualsIgnoreCase: { "aws:PrincipalOrgID": "o-abc" } },
                { "aws:PrincipalOrgID": "O-ABC" },
                "Allowed",
            ],
            ["StringNotEquals", { StringNotEquals: { "aws:SourceAccount": ["1", "2"] } }, { "aws:SourceAccount": "2" }, "ImplicitDeny"],
            [
                "StringLike",
                { StringLike: { "aws:SourceArn": "arn:aws:personalize:*:1:*" } },
                { "aws:SourceArn": "arn:aws:personalize:us-east-1:1:job/x" },
                "Allowed",
            ],
            ["StringNotLike", { StringNotLike: { "aws:SourceVpc": "vpc-1*" } }, { "aws:SourceVpc": "vpc-2" }, "Allowed"],
            ["NumericLessThan", { NumericLessThan: { "s3:max-keys": "10" } }, { "s3:max-keys": "9" }, "Allowed"],
            ["NumericGreaterThanEquals", { NumericGreaterThanEquals: { "s3:max-keys": 10 } }, { "s3:max-keys": "9" }, "ImplicitDeny"],
            [
                "DateLessThan",
                { DateLessThan: { "aws:CurrentTime": "2030-01-01T00:00:00Z" } },
                { "aws:CurrentTime": "2026-11-28T00:00:00Z" },
                "Allowed",
            ],
            [
                "DateGreaterThan epoch",
                { DateGreaterThan: { "aws:EpochTime": "1900000000" } },
                { "aws:EpochTime": "1800000000" },
                "ImplicitDeny",
            ],
            ["Bool", { Bool: { "aws:SecureTransport": "true" } }, { "AWS:SECURETRANSPORT": "TRUE" }, "Allowed"],
            [
                "ArnLike",
                { ArnLike: { "aws:SourceArn": "arn:aws:personalize:*:1:*" } },
                { "aws:SourceArn": "arn:aws:personalize:us-east-1:1:job/x" },
                "Allowed",
            ],
            [
                "ArnEquals does not cross components",
                { ArnEquals: { "aws:SourceArn": "arn:aws:*:1:*" } },
                { "aws:SourceArn": "arn:aws:personalize:us-east-1:1:job" },
                "ImplicitDeny",
            ],
            [
                "ArnNotLike",
                { ArnNotLike: { "aws:SourceArn": "arn:aws:personalize:*:2:*" } },
                { "aws:SourceArn": "arn:aws:personalize:us-east-1:1:job" },
                "Allowed",
            ],
            ["IpAddress", { IpAddress: { "aws:SourceIp": "10.0.0.0/8" } }, { "aws:SourceIp": "10.1.2.3" }, "Allowed"],
            ["IpAddress IPv6", { IpAddress: { "aws:SourceIp": "2001:db8::/32" } }, { "aws:SourceIp": "2001:db8::1" }, "Allowed"],
            ["NotIpAddress", { NotIpAddress: { "aws:SourceIp": "10.0.0.0/8" } }, { "aws:SourceIp": "10.1.2.3" }, "ImplicitDeny"],
            ["Null true on present key", { Null: { "aws:SourceVpc": "true" } }, { "aws:SourceVpc": "vpc-1" }, "ImplicitDeny"],
            [
                "ForAnyValue",
                { "ForAnyValue:StringEquals": { "aws:VpceOrgPaths": "o-a/r/" } },
                { "aws:VpceOrgPaths": ["o-b/r/", "o-a/r/"] },
                "Allowed",
            ],
            [
                "ForAllValues",
                { "ForAllValues:StringLike": { "aws:VpceOrgPaths": "o-a/*" } },
                { "aws:VpceOrgPaths": ["o-b/r/", "o-a/r/"] },
                "ImplicitDeny",
            ],
            ["ForAllValues empty set", { "ForAllValues:StringEquals": { "aws:VpceOrgPaths": "x" } }, { "aws:VpceOrgPaths": [] }, "Allowed"],
            [
                "ForAnyValue empty set",
                { "ForAnyValue:StringEquals": { "aws:VpceOrgPaths": "x" } },
                { "aws:VpceOrgPaths": [] },
                "ImplicitDeny",
            ],
            [
                "AND across keys",
                { StringEquals: { "aws:SourceAccount": "1", "aws:SourceVpc": "v" } },
                { "aws:SourceAccount": "1", "aws:SourceVpc": "w" },
                "ImplicitDeny",
            ],
            [
                "policy variable",
                { StringEquals: { "aws:VpceAccount": "${aws:SourceAccount}" } },
                { "aws:VpceAccount": "1", "aws:SourceAccount": "1" },
                "Allowed",
            ],
        ];
        for (const [name, condition, context, expected] of cases) {
            it(name, () => assert.equal(decide(withCondition(condition), { context }), expected));
        }
    });

    describe("absent keys", () => {
        const absent = (Condition: object, effect = "Allow") =>
            decide(parse(allow({ Effect: effect, Condition }), ...(effect === "Deny" ? [allow()] : [])), {
                absentKeys: ["aws:SourceVpc", "aws:VpceOrgPaths"],
            });
        it("make plain operators false", () => assert.equal(absent({ StringEquals: { "AWS:SOURCEVPC": "v" } }), "ImplicitDeny"));
        it("make negated operators true", () => assert.equal(absent({ StringNotLike: { "aws:SourceVpc": "v" } }), "Allowed"));
        it("make IfExists true, so a Deny with StringNotEqualsIfExists aws:SourceVpc still denies", () =>
            assert.equal(absent({ StringNotEqualsIfExists: { "aws:SourceVpc": "vpc-1" } }, "Deny"), "ExplicitDeny"));
        it("let a Deny with StringEquals aws:SourceVpc pass", () =>
            assert.equal(absent({ StringEquals: { "aws:SourceVpc": "vpc-1" } }, "Deny"), "Allowed"));
        it("are tested by Null", () => assert.equal(absent({ Null: { "aws:SourceVpc": "true" } }), "Allowed"));
        it("make ForAllValues true and ForAnyValue false", () => {
            assert.equal(absent({ "ForAllValues:StringEquals": { "aws:VpceOrgPaths": "x" } }), "Allowed");
            assert.equal(absent({ "ForAnyValue:StringNotEquals": { "aws:VpceOrgPaths": "x" } }), "ImplicitDeny");
        });
    });

    describe("fail-safe on what cannot be decided", () => {
        const verdictFor = (statements: Statement[], over: Partial<RequestEnvelope> = {}) =>
            evaluate(statements, request(over), "resource");
        it("does not let an Allow on an unknown key allow", () => {
            const verdict = verdictFor(parse(allow({ Condition: { StringEquals: { "aws:SourceVpc": "v" } } })));
            assert.equal(verdict.decision, "ImplicitDeny");
            assert.equal(verdict.undetermined.length, 1);
        });
        it("applies a Deny on an unknown key, listing it as denying and undetermined", () => {
            const deny = {
                Sid: "VpcOnly",
                Effect: "Deny",
                Principal: "*",
                Action: "*",
                Resource: "*",
                Condition: { StringNotEquals: { "aws:SourceVpc": "v" } },
            };
            const verdict = verdictFor(parse(allow(), deny));
            assert.equal(verdict.decision, "ExplicitDeny");
            assert.deepEqual(
                verdict.deniedBy.map(s => s.label),
                ["VpcOnly"],
            );
            assert.deepEqual(
                verdict.undetermined.map(s => s.label),
                ["VpcOnly"],
            );
        });
        it("treats unknown operators, unresolvable variables and ForAnyValue…IfExists on absent keys as undetermined", () => {
            for (const Condition of [
                { StringSortaEquals: { "aws:SourceVpc": "v" } },
                { StringEquals: { "aws:SourceVpc": "${aws:SourceAccount}" } },
                { "ForAnyValue:StringEqualsIfExists": { "aws:VpceOrgPaths": "x" } },
                { StringEquals: { "aws:VpceOrgPaths": "x" } },
            ]) {
                const verdict = verdictFor(parse(allow({ Condition })), {
                    context: { "aws:SourceVpc": "v", "aws:VpceOrgPaths": ["x"] },
                    absentKeys: ["aws:SourceAccount"],
                });
                const absentSet = verdictFor(parse(allow({ Condition })), {
                    context: { "aws:SourceVpc": "v" },
                    absentKeys: ["aws:SourceAccount", "aws:VpceOrgPaths"],
                });
                const undetermined = verdict.undetermined.length + absentSet.undetermined.length;
                assert.ok(undetermined >= 1, JSON.stringify(Condition));
                assert.notEqual(verdict.decision === "Allowed" && absentSet.decision === "Allowed", true);
            }
        });
    });
});

describe("evaluate: boundaries", () => {
    const withCondition = (condition: object, version = "2012-10-17") => {
        const result = parsePolicy({ Version: version, Statement: [allow({ Condition: condition })] });
        assert.ok(result.ok);
        return result.statements;
    };
    const under = (condition: object, context: Record<string, string>, version?: string) =>
        decide(withCondition(condition, version), { context });

    it("NumericLessThan is strict and NumericLessThanEquals is not, at the boundary value", () => {
        assert.equal(under({ NumericLessThan: { "s3:TlsVersion": "1.2" } }, { "s3:TlsVersion": "1.2" }), "ImplicitDeny");
        assert.equal(under({ NumericLessThan: { "s3:TlsVersion": "1.2" } }, { "s3:TlsVersion": "1.1" }), "Allowed");
        assert.equal(under({ NumericLessThanEquals: { "s3:TlsVersion": "1.2" } }, { "s3:TlsVersion": "1.2" }), "Allowed");
        assert.equal(under({ NumericGreaterThan: { "s3:TlsVersion": "1.2" } }, { "s3:TlsVersion": "1.2" }), "ImplicitDeny");
    });

    it("reads a date as ISO 8601 or as epoch seconds, the same instant either way", () => {
        const now = { "aws:CurrentTime": "2026-12-31T23:59:59Z" };
        for (const until of ["2027-01-01T00:00:00Z", "1798761600"]) {
            assert.equal(under({ DateLessThan: { "aws:CurrentTime": until } }, now), "Allowed", until);
            assert.equal(
                under({ DateLessThan: { "aws:CurrentTime": until } }, { "aws:CurrentTime": "2027-01-01T00:00:00Z" }),
                "ImplicitDeny",
                until,
            );
            assert.equal(
                under({ DateLessThanEquals: { "aws:CurrentTime": until } }, { "aws:CurrentTime": "2027-01-01T00:00:00Z" }),
                "Allowed",
                until,
            );
        }
    });

    it("an IP just outside a CIDR is outside it, the last one inside is inside", () => {
        assert.equal(under({ IpAddress: { "aws:SourceIp": "203.0.113.0/24" } }, { "aws:SourceIp": "203.0.113.255" }), "Allowed");
        assert.equal(under({ IpAddress: { "aws:SourceIp": "203.0.113.0/24" } }, { "aws:SourceIp": "203.0.114.0" }), "ImplicitDeny");
        assert.equal(under({ IpAddress: { "aws:SourceIp": "203.0.113.0/24" } }, { "aws:SourceIp": "203.0.112.255" }), "ImplicitDeny");
    });

    it("? in a resource never matches zero characters", () => {
        const policy = parse(allow({ Resource: "arn:aws:s3:::bucket/data/?interactions.csv" }));
        assert.equal(decide(policy), "ImplicitDeny");
        assert.equal(decide(policy, { resource: "arn:aws:s3:::bucket/data/_interactions.csv" }), "Allowed");
    });

    it("resolves variables only in 2012-10-17 documents, and only in string and ARN operators", () => {
        const context = { "aws:PrincipalServiceName": "personalize.amazonaws.com" };
        const sameName = { StringEquals: { "aws:PrincipalServiceName": "${aws:PrincipalServiceName}" } };
        assert.equal(under(sameName, context), "Allowed");
        assert.equal(under(sameName, context, "2008-10-17"), "ImplicitDeny");
        const noVersion = parsePolicy({ Statement: [allow({ Condition: sameName })] });
        assert.ok(noVersion.ok);
        assert.equal(decide(noVersion.statements, { context }), "ImplicitDeny");
        const numeric = { NumericLessThan: { "s3:TlsVersion": "${aws:EpochTime}" } };
        assert.equal(
            under(numeric, { "s3:TlsVersion": "1.2", "aws:EpochTime": "1795867200" }),
            "ImplicitDeny",
            "not a number: undetermined, so no Allow",
        );
    });
});
