import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import * as yaml from "js-yaml";
import { PACK_CONFIG_SCHEMA, packConfig } from "../../policypack/stack/pack-config";
import { policies } from "../../policypack/policies";

const PACK = path.join(__dirname, "..", "..", "policypack");
/** Policies that only advise unless a stack's config says otherwise: AWS accepts what they flag. */
const ADVISORY_BY_DEFAULT = new Set([
    "known-condition-keys",
    "personalize-least-privilege",
    "personalize-kms-key-outside-stack",
    "personalize-dataset-import-unverified",
]);

describe("policy pack metadata", () => {
    const files = fs.readdirSync(path.join(PACK, "policies")).filter(f => f.endsWith(".ts"));

    it("has one policy per file, named after it, and exports them all as `policies`", () => {
        const exported = files.map(file => {
            const mod = require(path.join(PACK, "policies", file));
            const values = Object.values(mod);
            assert.equal(values.length, 1, `${file} should export exactly one policy`);
            const policy = values[0] as { name: string };
            assert.equal(`${policy.name}.ts`, file);
            return policy;
        });
        assert.deepEqual(new Set(policies), new Set(exported));
        assert.equal(policies.length, files.length);
    });

    for (const policy of policies) {
        const level = ADVISORY_BY_DEFAULT.has(policy.name) ? "advisory" : "mandatory";
        it(`${policy.name}: ${level} by default, described, configurable, with remediation steps`, () => {
            assert.match(policy.name, /^[a-z]+(-[a-z]+)*$/);
            assert.equal(policy.enforcementLevel, level);
            assert.ok(policy.description.length > 40, "description says what it checks");
            assert.ok(policy.remediationSteps && policy.remediationSteps.length > 40, "remediation steps say how to fix it");
            assert.ok(["high", "critical"].includes(policy.severity!), `severity ${policy.severity}`);
            assert.equal(policy.configSchema, PACK_CONFIG_SCHEMA);
            assert.equal(typeof (policy as { validateStack?: unknown }).validateStack, "function");
        });
    }

    it("fills the config schema's defaults where a harness gives none, as the CLI would", () => {
        const defaults = Object.fromEntries(
            Object.entries(PACK_CONFIG_SCHEMA.properties).flatMap(([key, schema]) => ("default" in schema ? [[key, schema.default]] : [])),
        );
        assert.deepEqual(defaults, { buckets: {}, partition: "aws", roleTrustPolicyLength: 2048 });
        assert.deepEqual(packConfig({ getConfig: <T>() => ({}) as T }), defaults);
    });

    it("is a nodejs pack with a versioned package.json and an entry point that only constructs it", () => {
        const project = yaml.load(fs.readFileSync(path.join(PACK, "PulumiPolicy.yaml"), "utf8")) as { runtime: { name: string } };
        assert.equal(project.runtime.name, "nodejs");
        const pkg = JSON.parse(fs.readFileSync(path.join(PACK, "package.json"), "utf8"));
        assert.match(pkg.version, /^\d+\.\d+\.\d+$/);
        assert.ok(pkg.dependencies["@pulumi/policy"]);
        const entry = fs.readFileSync(path.join(PACK, "index.ts"), "utf8");
        assert.match(entry, /new PolicyPack\("personalize-bucket-policies", \{\s*policies,/);
    });

    it("has a policy config file for every committed stack, naming only policies of the pack", () => {
        const stacks = fs
            .readdirSync(path.join(PACK, ".."))
            .map(f => /^Pulumi\.(.+)\.yaml$/.exec(f)?.[1])
            .filter(Boolean);
        const names = new Set(["all", ...policies.map(p => p.name)]);
        for (const stack of stacks) {
            const config = JSON.parse(fs.readFileSync(path.join(PACK, "config", `${stack}.json`), "utf8"));
            for (const key of Object.keys(config)) assert.ok(names.has(key), `config/${stack}.json names unknown policy ${key}`);
        }
    });
});
