import * as assert from "node:assert/strict";
import * as s3 from "@pulumi/aws/s3";
import type { StackValidationPolicy } from "@pulumi/policy";
import { UNKNOWN } from "../../offline/recorder";
import { StackBuilder } from "./stack-builder";

/** A policy that records what it was given, to check the args behave like the engine's. */
function probe(check: StackValidationPolicy["validateStack"]): StackValidationPolicy {
    return { name: "probe", description: "probe", enforcementLevel: "mandatory", validateStack: check };
}

describe("the offline policy engine gives policies what the Pulumi engine gives them", () => {
    it("isType compares real resource types", async () => {
        const stack = new StackBuilder();
        stack.bucket("b");
        stack.add("aws:s3/bucketV2:BucketV2", "legacy", { bucket: "legacy" });
        const seen: Array<[string, boolean, boolean]> = [];
        await stack.run([probe(args => args.resources.forEach(r => seen.push([r.name, r.isType(s3.Bucket), r.isType(s3.BucketV2)])))]);
        assert.deepEqual(seen, [
            ["b", true, false],
            ["legacy", false, true],
        ]);
    });

    it("notApplicable throws, and the policy is reported as not applicable", async () => {
        const report = await new StackBuilder().run([
            probe(args => {
                args.notApplicable("no buckets here");
                throw new Error("notApplicable must not return");
            }),
        ]);
        assert.deepEqual(report, { violations: [], notApplicable: [{ policy: "probe", reason: "no buckets here" }] });
    });

    it("reading a value unknown in preview makes the policy not judged (advisory), not passed", async () => {
        const stack = new StackBuilder();
        stack.bucketPolicy("b", UNKNOWN);
        const report = await stack.run([probe(args => void JSON.parse(args.resources[0].props.policy))]);
        assert.equal(report.violations.length, 1);
        assert.equal(report.violations[0].enforcementLevel, "advisory");
        assert.equal(
            report.violations[0].message,
            "can't run policy 'probe' during preview: string value at .policy can't be known during preview",
        );
    });

    it("stack tags are present and config comes with the schema's defaults", async () => {
        let seen: unknown;
        const policy = probe(args => void (seen = { tags: args.stackTags.size, config: args.getConfig() }));
        policy.configSchema = { properties: { partition: { type: "string", default: "aws" }, buckets: { type: "object" } } };
        await new StackBuilder().run([policy], { probe: { buckets: { x: "import" } } });
        assert.deepEqual(seen, { tags: 0, config: { partition: "aws", buckets: { x: "import" } } });
    });

    it("takes enforcement levels from the config: per policy, then all, then the policy's own", async () => {
        const failing = probe((_, report) => report("bad"));
        const level = async (config: object) =>
            (await new StackBuilder().run([failing], config as never)).violations.map(v => v.enforcementLevel);
        assert.deepEqual(await level({}), ["mandatory"]);
        assert.deepEqual(await level({ all: "advisory" }), ["advisory"]);
        assert.deepEqual(await level({ all: "advisory", probe: { enforcementLevel: "mandatory" } }), ["mandatory"]);
        assert.deepEqual(await level({ probe: "disabled" }), []);
    });
});
