import * as pulumi from "@pulumi/pulumi";
import * as settings from "@pulumi/pulumi/runtime/settings";
import { awsMocks, type MockAccount } from "./aws-mocks";

/** The engine's marker for a value not known until the resource exists. */
export const UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";

/** The resource options the engine hands a policy pack (AnalyzerResourceOptions). */
export interface RecordedOptions {
    ignoreChanges: string[];
    /** Only when the program set it, as the engine sends it (deleteBeforeReplaceDefined). */
    deleteBeforeReplace?: boolean;
    additionalSecretOutputs: string[];
    aliases: string[];
    /** Seconds, as the engine converts the program's duration strings. */
    customTimeouts: { create: number; update: number; delete: number };
}

/** A resource registration as the engine receives it (and passes it to policy packs). */
export interface RecordedResource {
    type: string;
    name: string;
    urn: string;
    parent: string;
    custom: boolean;
    protect: boolean;
    retainOnDelete: boolean;
    dependencies: string[];
    /** Inputs in the engine's wire format: unknown values are UNKNOWN, assets carry their signature. */
    inputs: Record<string, any>;
    /**
     * What the engine holds after the step and sends to AnalyzeStack, in the same format: the
     * provider's outputs in an update; in a preview, the inputs (computed values stay unknown).
     * Absent on hand-made resources, which are judged on their inputs.
     */
    state?: Record<string, any>;
    /** Input name to the URNs it depends on. */
    propertyDependencies?: Record<string, string[]>;
    /** The provider reference (`urn::id`), empty for the default provider. */
    provider?: string;
    options?: RecordedOptions;
}

export interface Recording {
    resources: RecordedResource[];
    /** What the program logged, without the runtime's "warning: [runtime] " or "info: [runtime] " prefix. */
    warnings: string[];
    infos: string[];
}

/**
 * Runs the Pulumi runtime against AWS mocks and records every registration from the request the
 * monitor gets, which (unlike the mocks' own view) carries parent, protect and dependencies.
 */
export function startRecording(account: MockAccount, preview: boolean, project: string, stack: string) {
    pulumi.runtime.setMocks(awsMocks(account, preview), project, stack, preview);
    const monitor = settings.getMonitor() as any;
    const registered: Array<{ req: any; done: Promise<{ urn: string; state?: Record<string, any> }> }> = [];
    const register = monitor.registerResource.bind(monitor);
    monitor.registerResource = (req: any, callback: (err: any, res: any) => void) => {
        let resolve!: (result: { urn: string; state?: Record<string, any> }) => void;
        registered.push({ req, done: new Promise(r => (resolve = r)) });
        return register(req, (err: any, res: any) => {
            resolve(err ? { urn: "" } : { urn: res.getUrn(), state: res.getObject()?.toJavaScript() });
            callback(err, res);
        });
    };
    // The stack resource's outputs, which the engine keeps as its state.
    const stackOutputs = new Map<string, Record<string, any>>();
    const registerOutputs = monitor.registerResourceOutputs.bind(monitor);
    monitor.registerResourceOutputs = (req: any, callback: (err: any, res: any) => void) => {
        stackOutputs.set(req.getUrn(), req.getOutputs()?.toJavaScript() ?? {});
        return registerOutputs(req, callback);
    };
    // Without an engine, pulumi.log writes to the console with a level prefix.
    const warnings: string[] = [];
    const infos: string[] = [];
    const { warn, log } = console;
    console.warn = (...args: unknown[]) =>
        void warnings.push(
            args
                .map(String)
                .join(" ")
                .replace(/^warning: \[runtime\] /, ""),
        );
    console.log = (...args: unknown[]) => {
        const line = args.map(String).join(" ");
        if (line.startsWith("info: [runtime] ")) infos.push(line.slice("info: [runtime] ".length));
        else log(...args);
    };

    return {
        /** Waits for every registration in flight and returns all recorded so far. */
        async snapshot(): Promise<Recording> {
            // Internal to the SDK (its own test runner drains RPCs the same way).
            await (settings as any).waitForRPCs();
            const resources: RecordedResource[] = [];
            const providers = new DefaultProviders(project, stack, preview);
            for (const { req, done } of registered) {
                const { urn, state } = await done;
                const inputs = req.getObject().toJavaScript();
                const provider =
                    req.getCustom() && !req.getProvider() ? providers.referenceFor(req.getType(), resources) : req.getProvider();
                const timeouts = req.getCustomtimeouts();
                resources.push({
                    type: req.getType(),
                    name: req.getName(),
                    urn,
                    parent: req.getParent(),
                    custom: req.getCustom(),
                    protect: Boolean(req.getProtect()),
                    retainOnDelete: Boolean(req.getRetainondelete()),
                    dependencies: req.getDependenciesList(),
                    inputs,
                    // The mocks answer a preview with the inputs minus what is unknown; the engine keeps the unknowns.
                    state: stackOutputs.get(urn) ?? (preview || state === undefined ? inputs : state),
                    propertyDependencies: propertyDependencies(req.getPropertydependenciesMap()),
                    provider,
                    options: {
                        ignoreChanges: req.getIgnorechangesList(),
                        ...(req.getDeletebeforereplacedefined() && { deleteBeforeReplace: req.getDeletebeforereplace() }),
                        additionalSecretOutputs: req.getAdditionalsecretoutputsList(),
                        aliases: req.getAliasurnsList(),
                        customTimeouts: {
                            create: durationSeconds(timeouts?.getCreate()),
                            update: durationSeconds(timeouts?.getUpdate()),
                            delete: durationSeconds(timeouts?.getDelete()),
                        },
                    },
                });
            }
            return { resources, warnings: [...warnings], infos: [...infos] };
        },
        stop(): void {
            Object.assign(console, { warn, log });
        },
    };
}

/** A value with every Output in it resolved, or UNKNOWN where the Output is unknown (preview). */
export async function settle(value: unknown): Promise<unknown> {
    if (pulumi.Output.isInstance(value)) {
        // isKnown and promise() are the runtime's own way to read an Output outside apply.
        const output = value as any;
        return (await output.isKnown) ? settle(await output.promise()) : UNKNOWN;
    }
    if (Array.isArray(value)) return Promise.all(value.map(settle));
    if (value && typeof value === "object" && Object.getPrototypeOf(value) === Object.prototype) {
        const entries = await Promise.all(Object.entries(value).map(async ([k, v]) => [k, await settle(v)] as const));
        return Object.fromEntries(entries);
    }
    return value;
}

/**
 * The engine's default providers: a resource that names no provider gets the package's default
 * one, which the engine registers itself (configured from the stack's `<package>:*` config) and
 * includes in the stack's resources.
 */
class DefaultProviders {
    private readonly refs = new Map<string, string>();

    constructor(
        private readonly project: string,
        private readonly stack: string,
        private readonly preview: boolean,
    ) {}

    /** The reference (`urn::id`) for a type's default provider; registers it in `resources` on first use. */
    referenceFor(type: string, resources: RecordedResource[]): string {
        const pkg = type.split(":")[0];
        if (!this.refs.has(pkg)) {
            const version: string = require(`@pulumi/${pkg}/package.json`).version;
            const name = `default_${version.replace(/[.-]/g, "_")}`;
            const providerType = `pulumi:providers:${pkg}`;
            const urn = `urn:pulumi:${this.stack}::${this.project}::${providerType}::${name}`;
            const prefix = `${pkg}:`;
            const inputs: Record<string, any> = { version };
            for (const [key, value] of Object.entries(pulumi.runtime.allConfig()))
                if (key.startsWith(prefix)) inputs[key.slice(prefix.length)] = value;
            resources.push({
                type: providerType,
                name,
                urn,
                parent: "",
                custom: true,
                protect: false,
                retainOnDelete: false,
                dependencies: [],
                inputs,
                state: inputs,
                propertyDependencies: {},
                provider: "",
                options: {
                    ignoreChanges: [],
                    additionalSecretOutputs: [],
                    aliases: [],
                    customTimeouts: { create: 0, update: 0, delete: 0 },
                },
            });
            // A provider's ID is unknown until it exists.
            this.refs.set(pkg, `${urn}::${this.preview ? UNKNOWN : "00000000-0000-0000-0000-000000000000"}`);
        }
        return this.refs.get(pkg)!;
    }
}

function propertyDependencies(map: { forEach(f: (deps: { getUrnsList(): string[] }, key: string) => void): void }) {
    const result: Record<string, string[]> = {};
    map.forEach((deps, key) => (result[key] = deps.getUrnsList()));
    return result;
}

/** A custom timeout as the engine reads it: a Go duration ("5m", "1h30m", "90s") in seconds; none is 0. */
export function durationSeconds(text: string | undefined): number {
    if (!text) return 0;
    const units: Record<string, number> = { h: 3600, m: 60, s: 1, ms: 1e-3 };
    let seconds = 0;
    for (const [, amount, unit] of text.matchAll(/([0-9.]+)(ms|h|m|s)/g)) seconds += Number(amount) * units[unit];
    return seconds;
}
