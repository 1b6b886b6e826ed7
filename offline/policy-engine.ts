/**
 * Runs CrossGuard stack policies over recorded resources the way the Pulumi engine and
 * @pulumi/policy's analyzer server do (server.js, analyzeStack): properties deserialized from the
 * wire format and wrapped in `unknownCheckingProxy`; a policy that reads an unknown value reported
 * as "can't run during preview" (advisory); `notApplicable` throwing; config with schema defaults;
 * enforcement levels from config, then the policy, then the pack.
 */
import type { EnforcementLevel, PolicyResource, StackValidationPolicy } from "@pulumi/policy";
import { UnknownValueError, unknownCheckingProxy } from "@pulumi/policy";
import type { RecordedResource } from "./recorder";

// Internal module of @pulumi/policy: the deserializer its server applies to engine requests.
const { deserializeProperties } = require("@pulumi/policy/deserialize") as {
    deserializeProperties(struct: { toJavaScript(): unknown }, proxySecrets: boolean): Record<string, any>;
};

export interface Violation {
    policy: string;
    enforcementLevel: EnforcementLevel;
    message: string;
    /** The resource the violation names, if any. */
    urn?: string;
}

export interface PolicyReport {
    violations: Violation[];
    notApplicable: Array<{ policy: string; reason: string }>;
}

/** A policy pack config file as `pulumi preview --policy-pack-config` reads it. */
export type PackConfigFile = Record<string, EnforcementLevel | ({ enforcementLevel?: EnforcementLevel } & Record<string, unknown>)>;

class NotApplicableError extends Error {}

function levelAndProperties(policy: StackValidationPolicy, config: PackConfigFile, packLevel: EnforcementLevel) {
    const entry = config[policy.name];
    const all = config.all;
    const entryLevel = typeof entry === "string" ? entry : entry?.enforcementLevel;
    const allLevel = typeof all === "string" ? all : all?.enforcementLevel;
    const { enforcementLevel: _, ...given } = typeof entry === "object" ? entry : {};
    const defaults = Object.fromEntries(
        Object.entries(policy.configSchema?.properties ?? {})
            .filter(([, schema]) => (schema as { default?: unknown }).default !== undefined)
            .map(([key, schema]) => [key, (schema as { default?: unknown }).default]),
    );
    return { level: entryLevel ?? allLevel ?? policy.enforcementLevel ?? packLevel, properties: { ...defaults, ...given } };
}

export function policyResources(recorded: RecordedResource[]): PolicyResource[] {
    const byUrn = new Map<string, PolicyResource>();
    const resources = recorded.map(r => {
        const props = unknownCheckingProxy(deserializeProperties({ toJavaScript: () => r.inputs }, false));
        const resource: PolicyResource = {
            type: r.type,
            name: r.name,
            urn: r.urn,
            props,
            opts: {
                protect: r.protect,
                ignoreChanges: [],
                aliases: [],
                customTimeouts: { createSeconds: 0, updateSeconds: 0, deleteSeconds: 0 },
                additionalSecretOutputs: [],
                parent: r.parent || undefined,
            },
            dependencies: [],
            propertyDependencies: {},
            // Compares real types, as the SDK does: the class's Pulumi type token, else its isInstance.
            isType: (cls: any) =>
                cls.__pulumiType === r.type || (typeof cls.isInstance === "function" && cls.isInstance({ __pulumiType: r.type }) === true),
            asType: (cls: any) => (resource.isType(cls) ? props : undefined),
        } as PolicyResource;
        byUrn.set(r.urn, resource);
        return resource;
    });
    recorded.forEach((r, i) => {
        resources[i].parent = byUrn.get(r.parent);
        resources[i].dependencies = r.dependencies.map(d => byUrn.get(d)).filter((d): d is PolicyResource => d !== undefined);
    });
    return resources;
}

export async function runStackPolicies(
    policies: StackValidationPolicy[],
    recorded: RecordedResource[],
    config: PackConfigFile = {},
    packLevel: EnforcementLevel = "mandatory",
): Promise<PolicyReport> {
    const report: PolicyReport = { violations: [], notApplicable: [] };
    for (const policy of policies) {
        const { level, properties } = levelAndProperties(policy, config, packLevel);
        if (level === "disabled") continue;
        const enforcementLevel: EnforcementLevel = level === "remediate" ? "mandatory" : level;
        try {
            await policy.validateStack(
                {
                    resources: policyResources(recorded),
                    getConfig: <T>() => properties as T,
                    stackTags: new Map(),
                    notApplicable: (reason?: string) => {
                        throw new NotApplicableError(reason ?? "Policy does not apply");
                    },
                },
                (message, urn) => report.violations.push({ policy: policy.name, enforcementLevel, message, urn }),
            );
        } catch (err) {
            if (err instanceof UnknownValueError) {
                report.violations.push({
                    policy: policy.name,
                    enforcementLevel: "advisory",
                    message: `can't run policy '${policy.name}' during preview: ${(err as Error).message}`,
                });
            } else if (err instanceof NotApplicableError) {
                report.notApplicable.push({ policy: policy.name, reason: err.message });
            } else {
                throw err;
            }
        }
    }
    return report;
}
