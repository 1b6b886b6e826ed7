/**
 * The policy pack's own gRPC Analyzer server, started and driven the way the Pulumi CLI does it
 * (pulumi/pulumi, read at its current main). `pkg/resource/plugin/analyzer_plugin.go`
 * (`NewPolicyAnalyzer`) hands a Node.js pack to the `nodejs` language host, whose `RunPlugin`
 * (`sdk/nodejs/cmd/pulumi-language-nodejs/main.go`) runs
 * `node <run-policy-pack of the pack's own @pulumi/pulumi> <nodeargs> <engine> <pack folder>` in
 * the pack folder, with the runtime options of PulumiPolicy.yaml as `PULUMI_NODEJS_*` variables and
 * the stack (from the engine's ConfigureStack, through `sdk/policy_proxy.go`) as
 * `PULUMI_NODEJS_ORGANIZATION`/`PROJECT`/`STACK`/`DRY_RUN` and `PULUMI_CONFIG`, the empty ones left
 * out. The port is read from the pack's first line of output, then the RPCs go with the stubs that
 * ship in `@pulumi/pulumi/proto`. (The `pulumi-analyzer-policy` shim is the older route, taken only
 * without a language host; it ran the same run-policy-pack.)
 */
import { spawn, type ChildProcess } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import * as grpc from "@grpc/grpc-js";
import { AnalyzerClient } from "@pulumi/pulumi/proto/analyzer_grpc_pb";
import * as proto from "@pulumi/pulumi/proto/analyzer_pb";
import { Empty } from "google-protobuf/google/protobuf/empty_pb";
import { Struct } from "google-protobuf/google/protobuf/struct_pb";
import * as yaml from "js-yaml";
import type { RecordedResource } from "./recorder";

export type EnforcementLevel = "advisory" | "mandatory" | "remediate" | "disabled";

const LEVELS: Record<proto.EnforcementLevel, EnforcementLevel> = {
    [proto.EnforcementLevel.ADVISORY]: "advisory",
    [proto.EnforcementLevel.MANDATORY]: "mandatory",
    [proto.EnforcementLevel.REMEDIATE]: "remediate",
    [proto.EnforcementLevel.DISABLED]: "disabled",
};
const LEVEL_ENUMS = Object.fromEntries(Object.entries(LEVELS).map(([k, v]) => [v, Number(k)])) as Record<
    EnforcementLevel,
    proto.EnforcementLevel
>;

export interface PolicyInfo {
    name: string;
    enforcementLevel: EnforcementLevel;
    /** JSON Schema of the policy's config properties, as the pack declares it. */
    configSchema?: { properties: Record<string, any>; required: string[] };
}

export interface AnalyzerInfo {
    name: string;
    version: string;
    policies: PolicyInfo[];
    initialConfig: Record<string, { enforcementLevel: EnforcementLevel; properties?: Record<string, unknown> }>;
}

/** A policy's config as the CLI sends it in Configure: its level and its properties. */
export interface PolicyConfig {
    enforcementLevel: EnforcementLevel;
    properties?: Record<string, unknown>;
}

/** A diagnostic as AnalyzeStack returns it. */
export interface Diagnostic {
    policyName: string;
    policyPackName: string;
    policyPackVersion: string;
    enforcementLevel: EnforcementLevel;
    message: string;
    /** The resource the violation names; empty when the policy named none. */
    urn: string;
}

export interface StackIdentity {
    organization: string;
    project: string;
    stack: string;
    preview: boolean;
    /** The stack's config, flat `namespace:key` to string, as the engine hands it to the program. */
    config: Record<string, string>;
}

function call<Req, Res>(
    method: (req: Req, callback: (err: grpc.ServiceError | null, res: Res) => void) => unknown,
    req: Req,
): Promise<Res> {
    return new Promise((resolve, reject) => method(req, (err, res) => (err ? reject(err) : resolve(res))));
}

export interface PackServer {
    /** From spawning the pack to its port line: what every `pulumi preview` with the pack waits for. */
    startMs: number;
    getAnalyzerInfo(): Promise<AnalyzerInfo>;
    configureStack(stack: StackIdentity): Promise<void>;
    configure(config: Record<string, PolicyConfig>): Promise<void>;
    analyzeStack(resources: RecordedResource[]): Promise<Diagnostic[]>;
    stop(): Promise<void>;
}

/**
 * The command `RunPlugin` builds for a pack in `packDir`: node's arguments and the variables it
 * adds for the runtime options (`parseOptions` in the same file: `typescript` defaults to true;
 * `nodeargs` come after run-policy-pack, so they are its arguments; the host splits them as a shell
 * would, here on whitespace only).
 */
export function runPolicyPackCommand(packDir: string, engine: string): { args: string[]; env: Record<string, string> } {
    const file = path.join(packDir, "PulumiPolicy.yaml");
    const project = yaml.load(fs.readFileSync(file, "utf8")) as { runtime?: string | { options?: Record<string, unknown> } };
    const options = typeof project.runtime === "object" ? (project.runtime.options ?? {}) : {};
    const runPolicyPack = require.resolve("@pulumi/pulumi/cmd/run-policy-pack", { paths: [packDir] });
    const nodeargs = typeof options.nodeargs === "string" ? options.nodeargs.split(/\s+/).filter(Boolean) : [];
    return {
        args: [runPolicyPack, ...nodeargs, engine, packDir],
        env: {
            ...(options.typescript !== false && { PULUMI_NODEJS_TYPESCRIPT: "true" }),
            ...(typeof options.tsconfig === "string" && { PULUMI_NODEJS_TSCONFIG_PATH: options.tsconfig }),
        },
    };
}

/**
 * Starts the pack in `packDir` as the CLI does for a stack, and resolves once it serves. Rejects
 * with what the pack printed if it exits first (a missing package, a module that throws).
 */
export async function startPack(packDir: string, stack: StackIdentity): Promise<PackServer> {
    // The engine address comes first; nothing in a Node.js pack dials it.
    const { args, env: runtimeEnv } = runPolicyPackCommand(packDir, "127.0.0.1:0");
    const stackEnv = {
        PULUMI_NODEJS_ORGANIZATION: stack.organization,
        PULUMI_NODEJS_PROJECT: stack.project,
        PULUMI_NODEJS_STACK: stack.stack,
        PULUMI_NODEJS_DRY_RUN: String(stack.preview),
        PULUMI_CONFIG: Object.keys(stack.config).length > 0 ? JSON.stringify(stack.config) : "",
    };
    const env = { ...process.env, ...runtimeEnv, ...Object.fromEntries(Object.entries(stackEnv).filter(([, value]) => value !== "")) };
    const started = process.hrtime.bigint();
    const child = spawn(process.execPath, args, { cwd: packDir, env, stdio: ["ignore", "pipe", "pipe"] });
    const port = await portLine(child);
    const startMs = Number(process.hrtime.bigint() - started) / 1e6;
    const client = new AnalyzerClient(`127.0.0.1:${port}`, grpc.credentials.createInsecure());
    return {
        startMs,
        getAnalyzerInfo: async () => analyzerInfo(await call(client.getAnalyzerInfo.bind(client), new Empty())),
        async configureStack(identity) {
            const req = new proto.AnalyzerStackConfigureRequest()
                .setOrganization(identity.organization)
                .setProject(identity.project)
                .setStack(identity.stack)
                .setDryRun(identity.preview);
            for (const [key, value] of Object.entries(identity.config)) req.getConfigMap().set(key, value);
            await call(client.configureStack.bind(client), req);
        },
        async configure(config) {
            const req = new proto.ConfigureAnalyzerRequest();
            for (const [name, { enforcementLevel, properties }] of Object.entries(config)) {
                const policy = new proto.PolicyConfig().setEnforcementlevel(LEVEL_ENUMS[enforcementLevel]);
                policy.setProperties(Struct.fromJavaScript((properties ?? {}) as Record<string, any>));
                req.getPolicyconfigMap().set(name, policy);
            }
            await call(client.configure.bind(client), req);
        },
        async analyzeStack(resources) {
            const req = new proto.AnalyzeStackRequest().setResourcesList(analyzerResources(resources));
            const res = await call<proto.AnalyzeStackRequest, proto.AnalyzeResponse>(client.analyzeStack.bind(client), req);
            return res.getDiagnosticsList().map(d => ({
                policyName: d.getPolicyname(),
                policyPackName: d.getPolicypackname(),
                policyPackVersion: d.getPolicypackversion(),
                enforcementLevel: LEVELS[d.getEnforcementlevel()],
                message: d.getMessage(),
                urn: d.getUrn(),
            }));
        },
        async stop() {
            client.close();
            if (child.exitCode === null) {
                const exited = new Promise(resolve => child.once("exit", resolve));
                child.kill();
                await exited;
            }
        },
    };
}

/** The port the pack prints as its first line; what it wrote to stderr if it exits before. */
function portLine(child: ChildProcess): Promise<number> {
    return new Promise((resolve, reject) => {
        let stdout = "";
        let stderr = "";
        child.stderr!.on("data", chunk => (stderr += chunk));
        child.stdout!.on("data", chunk => {
            stdout += chunk;
            const line = /^(\d+)\r?\n/.exec(stdout);
            if (line) resolve(Number(line[1]));
        });
        child.once("error", reject);
        child.once("exit", code =>
            reject(new Error(`the policy pack exited (code ${code}) before serving:\n${`${stdout}${stderr}`.trim()}`)),
        );
    });
}

function analyzerInfo(res: proto.AnalyzerInfo): AnalyzerInfo {
    const initialConfig: AnalyzerInfo["initialConfig"] = {};
    res.getInitialconfigMap().forEach((config, name) => {
        initialConfig[name] = {
            enforcementLevel: LEVELS[config.getEnforcementlevel()],
            properties: config.getProperties()?.toJavaScript(),
        };
    });
    return {
        name: res.getName(),
        version: res.getVersion(),
        policies: res.getPoliciesList().map(p => {
            const schema = p.getConfigschema();
            return {
                name: p.getName(),
                enforcementLevel: LEVELS[p.getEnforcementlevel()],
                ...(schema && {
                    configSchema: { properties: schema.getProperties()?.toJavaScript() ?? {}, required: schema.getRequiredList() },
                }),
            };
        }),
        initialConfig,
    };
}

/**
 * The resources as the engine sends them to AnalyzeStack: its state in the engine's wire format
 * (unknowns and secrets as their sentinels, kept as the program's SDK sent them), the options,
 * the provider resource, parent, dependencies and the property dependencies that are not empty.
 */
export function analyzerResources(resources: RecordedResource[]): proto.AnalyzerResource[] {
    const byUrn = new Map(resources.map(r => [r.urn, r]));
    return resources.map(r => {
        const options = r.options ?? {
            ignoreChanges: [],
            additionalSecretOutputs: [],
            aliases: [],
            customTimeouts: { create: 0, update: 0, delete: 0 },
        };
        const timeouts = new proto.AnalyzerResourceOptions.CustomTimeouts()
            .setCreate(options.customTimeouts.create)
            .setUpdate(options.customTimeouts.update)
            .setDelete(options.customTimeouts.delete);
        const wireOptions = new proto.AnalyzerResourceOptions()
            .setProtect(r.protect)
            .setIgnorechangesList(options.ignoreChanges)
            .setDeletebeforereplace(options.deleteBeforeReplace ?? false)
            .setDeletebeforereplacedefined(options.deleteBeforeReplace !== undefined)
            .setAdditionalsecretoutputsList(options.additionalSecretOutputs)
            .setAliasesList(options.aliases)
            .setCustomtimeouts(timeouts)
            .setParent(r.parent);
        const resource = new proto.AnalyzerResource()
            .setUrn(r.urn)
            .setType(r.type)
            .setName(r.name)
            .setProperties(Struct.fromJavaScript(r.state ?? r.inputs))
            .setOptions(wireOptions)
            .setParent(r.parent)
            .setDependenciesList(r.dependencies);
        // A reference is `<provider urn>::<provider id>`.
        const provider = r.provider ? byUrn.get(r.provider.slice(0, r.provider.lastIndexOf("::"))) : undefined;
        if (provider) {
            resource.setProvider(
                new proto.AnalyzerProviderResource()
                    .setUrn(provider.urn)
                    .setType(provider.type)
                    .setName(provider.name)
                    .setProperties(Struct.fromJavaScript(provider.state ?? provider.inputs)),
            );
        }
        for (const [key, urns] of Object.entries(r.propertyDependencies ?? {})) {
            if (urns.length > 0) resource.getPropertydependenciesMap().set(key, new proto.AnalyzerPropertyDependencies().setUrnsList(urns));
        }
        return resource;
    });
}
