import * as pulumi from "@pulumi/pulumi";
import * as settings from "@pulumi/pulumi/runtime/settings";
import { awsMocks, type MockAccount } from "./aws-mocks";

/** The engine's marker for a value not known until the resource exists. */
export const UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";

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
    const registered: Array<{ req: any; done: Promise<string> }> = [];
    const register = monitor.registerResource.bind(monitor);
    monitor.registerResource = (req: any, callback: (err: any, res: any) => void) => {
        let resolve!: (urn: string) => void;
        registered.push({ req, done: new Promise<string>(r => (resolve = r)) });
        return register(req, (err: any, res: any) => {
            resolve(err ? "" : res.getUrn());
            callback(err, res);
        });
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
            for (const { req, done } of registered) {
                resources.push({
                    type: req.getType(),
                    name: req.getName(),
                    urn: await done,
                    parent: req.getParent(),
                    custom: req.getCustom(),
                    protect: Boolean(req.getProtect()),
                    retainOnDelete: Boolean(req.getRetainondelete()),
                    dependencies: req.getDependenciesList(),
                    inputs: req.getObject().toJavaScript(),
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
