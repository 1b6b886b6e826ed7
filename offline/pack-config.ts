/**
 * A stack's policy pack config as the Pulumi CLI reconciles it before `Configure`
 * (pulumi/pulumi `pkg/resource/analyzer/config.go`): every policy at its own enforcement level
 * with its schema's defaults, then the pack's initial config, then the config file, `"all"`
 * first; the result validated against each policy's config schema.
 */
import * as fs from "node:fs";
import Ajv from "ajv";
import type { AnalyzerInfo, EnforcementLevel, PolicyConfig } from "./analyzer";

const LEVELS: EnforcementLevel[] = ["advisory", "mandatory", "remediate", "disabled"];

/** A problem with a policy pack config file; the message names the file. */
export class PackConfigError extends Error {}

type Given = Record<string, { enforcementLevel?: EnforcementLevel; properties?: Record<string, unknown> }>;

/** Reads a `--policy-pack-config` file as the CLI does; none, or an empty one, is no config. */
export function readPackConfigFile(file: string, label = file): Given {
    if (!fs.existsSync(file)) return {};
    const text = fs.readFileSync(file, "utf8");
    if (text.trim() === "") return {};
    let parsed: unknown;
    try {
        parsed = JSON.parse(text);
    } catch (err) {
        throw new PackConfigError(`${label}: not valid JSON: ${(err as Error).message}`);
    }
    return parsePackConfig(parsed, label);
}

/** A pack config as the CLI parses it: per policy (or "all") a level, or an object with an optional level. */
export function parsePackConfig(parsed: unknown, label: string): Given {
    if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed))
        throw new PackConfigError(`${label}: expects a JSON object`);
    const level = (name: string, value: unknown): EnforcementLevel => {
        if (typeof value === "string" && LEVELS.includes(value as EnforcementLevel)) return value as EnforcementLevel;
        throw new PackConfigError(`${label}: "${name}": ${JSON.stringify(value)} is not an enforcement level; use ${LEVELS.join(", ")}`);
    };
    const given: Given = {};
    for (const [name, value] of Object.entries(parsed)) {
        if (typeof value === "string") given[name] = { enforcementLevel: level(name, value) };
        else if (typeof value === "object" && value !== null && !Array.isArray(value)) {
            const { enforcementLevel, ...properties } = value as Record<string, unknown>;
            given[name] = {
                ...(enforcementLevel !== undefined && { enforcementLevel: level(name, enforcementLevel) }),
                ...(Object.keys(properties).length > 0 && { properties }),
            };
        } else {
            throw new PackConfigError(`${label}: "${name}": ${JSON.stringify(value)} is neither an enforcement level nor an object`);
        }
    }
    return given;
}

function apply(result: Record<string, PolicyConfig>, given: Given): void {
    const all = given.all?.enforcementLevel;
    if (all) for (const config of Object.values(result)) config.enforcementLevel = all;
    for (const [name, { enforcementLevel, properties }] of Object.entries(given)) {
        if (name === "all") continue;
        const config = result[name];
        if (enforcementLevel) config.enforcementLevel = enforcementLevel;
        if (properties) config.properties = { ...config.properties, ...properties };
    }
}

/**
 * The config to send in `Configure` for the policies `info` lists. Stricter than the CLI in one
 * way: a policy name the pack doesn't have is an error (the CLI passes it on and the pack ignores
 * it, so a misspelt name would silently leave its policy at the default).
 */
export function reconcilePackConfig(info: AnalyzerInfo, file: Given, label: string): Record<string, PolicyConfig> {
    const names = info.policies.map(p => p.name);
    const unknown = Object.keys(file).filter(name => name !== "all" && !names.includes(name));
    if (unknown.length > 0) {
        throw new PackConfigError(
            `${label}: ${unknown.map(n => `"${n}"`).join(", ")} ${unknown.length > 1 ? "are not policies" : "is not a policy"} of ${info.name}; its policies are ${names.join(", ")} (or "all")`,
        );
    }
    const result: Record<string, PolicyConfig> = {};
    for (const policy of info.policies) {
        const defaults = Object.entries(policy.configSchema?.properties ?? {}).filter(([, schema]) => "default" in schema);
        result[policy.name] = {
            enforcementLevel: policy.enforcementLevel,
            ...(defaults.length > 0 && { properties: Object.fromEntries(defaults.map(([key, schema]) => [key, schema.default])) }),
        };
    }
    apply(result, info.initialConfig);
    apply(result, file);
    const ajv = new Ajv({ allErrors: true, strict: false });
    const problems: string[] = [];
    for (const policy of info.policies) {
        if (!policy.configSchema) continue;
        const schema = { type: "object", properties: policy.configSchema.properties, required: policy.configSchema.required };
        const validate = ajv.compile(schema);
        if (validate(result[policy.name].properties ?? {})) continue;
        for (const error of validate.errors ?? []) {
            const at = error.instancePath.slice(1).replaceAll("/", ".");
            const allowed =
                error.keyword === "enum"
                    ? `: ${(error.params as { allowedValues: unknown[] }).allowedValues.map(v => JSON.stringify(v)).join(", ")}`
                    : "";
            const value = at ? `, got ${JSON.stringify(at.split(".").reduce<any>((v, k) => v?.[k], result[policy.name].properties))}` : "";
            problems.push(`${label}: ${policy.name}: ${at || "config"} ${error.message}${allowed}${value}`);
        }
    }
    if (problems.length > 0) throw new PackConfigError(problems.join("\n"));
    return result;
}
