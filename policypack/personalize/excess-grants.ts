import { actionsMatching, coveredActions, isWrite, type CatalogAction } from "../aws/catalog";
import type { PrincipalSpec, Statement } from "../iam";
import { mayReachPrefix, staysUnderPrefix } from "../aws/resource-prefix";
import type { PersonalizeBucket } from "../stack/view";

/**
 * What an Allow statement for Amazon Personalize (its service principal or its service role) grants
 * beyond what the bucket's workflow needs -- ListBucket on the bucket, GetObject on its objects and,
 * for batch, PutObject in the batch output folder -- and the statements to write instead.
 */
export interface ExcessGrant {
    /** Each thing granted beyond the need, said plainly. */
    reasons: string[];
    /** The narrowed statements that keep what the statement grants Personalize and need; empty: remove it. */
    narrowed: object[];
}

const EXAMPLES = 3;
const hasWildcard = (text: string) => /[*?]/.test(text);
const quoted = (texts: string[]) => texts.map(t => JSON.stringify(t)).join(", ");

/** Up to three names, those that lose, change or read data first (deletes, then object actions), then the count of the rest. */
export function someOf(actions: CatalogAction[]): string {
    const rank = (name: string) => (/:Delete/.test(name) ? 0 : 2) + (/:(Delete|Put|Get)Object/.test(name) ? 0 : 1);
    const names = actions
        .map(a => ({ name: a.name, rank: rank(a.name) }))
        .sort((a, b) => a.rank - b.rank || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
        .map(a => a.name);
    const more = names.length - EXAMPLES;
    return names.slice(0, EXAMPLES).join(", ") + (more > 0 ? ` and ${more} more` : "");
}

const wildcardReasons = new Map<string, string | undefined>();

/** What an Action pattern with a wildcard grants beyond reads: the writes it expands to, or every service's actions. */
function wildcardWrites(pattern: string): string | undefined {
    if (wildcardReasons.has(pattern)) return wildcardReasons.get(pattern);
    const colon = pattern.indexOf(":");
    const service = colon === -1 ? pattern : pattern.slice(0, colon);
    let reason: string | undefined;
    if (colon === -1 || hasWildcard(service))
        reason = `${JSON.stringify(pattern)} grants actions of every service it matches, writes among them`;
    else {
        const writes = actionsMatching([pattern], service).filter(isWrite);
        if (writes.length > 0) reason = `${JSON.stringify(pattern)} expands to ${writes.length} write actions (${someOf(writes)})`;
    }
    wildcardReasons.set(pattern, reason);
    return reason;
}

export function excessGrant(
    statement: Statement,
    bucket: PersonalizeBucket,
    partition: string,
    principal?: PrincipalSpec,
): ExcessGrant | undefined {
    const bucketArn = `arn:${partition}:s3:::${bucket.name}`;
    const objects = `${bucketArn}/`;
    const output = bucket.workflow === "batch" ? `${objects}${bucket.batchOutputPrefix}` : undefined;
    const s3 = coveredActions(statement, "s3");
    const grants = (name: string) => s3.some(a => a.name === name);
    const reasons: string[] = [];

    if (statement.notAction) {
        const writes = s3.filter(isWrite);
        const among = writes.length > 0 ? `, ${writes.length} S3 write actions among them (${someOf(writes)})` : "";
        reasons.push(`NotAction allows every action of every service it doesn't list${among}`);
    }
    const literal = (statement.action ?? []).filter(p => !hasWildcard(p));
    for (const pattern of (statement.action ?? []).filter(hasWildcard)) {
        const why = wildcardWrites(pattern);
        if (why) reasons.push(why);
    }
    const extraWrites = s3.filter(
        a => isWrite(a) && a.name !== "s3:PutObject" && literal.some(p => p.toLowerCase() === a.name.toLowerCase()),
    );
    const deletes = extraWrites.filter(a => /:Delete/.test(a.name));
    if (deletes.length > 0) reasons.push(`grants ${someOf(deletes)}: deletes, which Personalize never makes`);
    const otherWrites = extraWrites.filter(a => !deletes.includes(a));
    if (otherWrites.length > 0) reasons.push(`grants ${someOf(otherWrites)}: writes Personalize never makes`);

    const resources = statement.resource ?? [];
    if (grants("s3:PutObject")) {
        if (!output) reasons.push("grants s3:PutObject, which an import bucket's workflow never needs");
        else {
            const outside = resources.filter(r => mayReachPrefix(r, objects) && !staysUnderPrefix(r, output));
            if (outside.length > 0) reasons.push(`grants s3:PutObject on ${quoted(outside)}, outside the batch output folder "${output}"`);
        }
    }
    if (s3.length > 0) {
        if (statement.notResource) reasons.push("NotResource reaches every resource it doesn't list");
        const beyond = resources.filter(
            r => mayReachPrefix(r, `arn:${partition}:s3:::`) && r !== bucketArn && !staysUnderPrefix(r, objects),
        );
        if (beyond.length > 0) reasons.push(`reaches ${quoted(beyond)}, beyond bucket "${bucket.name}"`);
    }
    if (reasons.length === 0) return undefined;

    const narrow = (action: string, resource: string) => ({
        Effect: "Allow",
        ...(principal && { Principal: principalJson(principal) }),
        Action: action,
        Resource: resource,
    });
    const narrowed = [
        ...(grants("s3:ListBucket") ? [narrow("s3:ListBucket", bucketArn)] : []),
        ...(grants("s3:GetObject") ? [narrow("s3:GetObject", `${objects}*`)] : []),
        ...(output && grants("s3:PutObject") ? [narrow("s3:PutObject", `${output}*`)] : []),
    ];
    return { reasons, narrowed };
}

/** A parsed principal written back as JSON, single identifiers as strings. */
function principalJson(principal: PrincipalSpec): unknown {
    if (principal === "*") return "*";
    return Object.fromEntries(Object.entries(principal).map(([type, ids]) => [type, ids.length === 1 ? ids[0] : ids]));
}
