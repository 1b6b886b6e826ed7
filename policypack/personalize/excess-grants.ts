import { actionsMatching, coveredActions, isWrite, type CatalogAction } from "../aws/catalog";
import type { PrincipalSpec, Statement } from "../iam";
import { mayReachPrefix, staysUnderPrefix } from "../aws/resource-prefix";
import { KEY_POLICY_ACTIONS } from "./kms";
import type { PersonalizeBucket } from "../stack/view";

/**
 * What an Allow statement for Amazon Personalize (its service principal or its service role) grants
 * beyond what the bucket's workflow needs -- ListBucket on the bucket, GetObject on its objects and,
 * for batch, PutObject in the batch output folder; for the role, the KMS actions Personalize needs
 * on the keys it uses -- and the statements to write instead.
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

/**
 * The KMS actions the service role needs on a key Personalize uses: the four the Personalize
 * Developer Guide lists for the role's IAM policy, and kms:CreateGrant, which it needs there when
 * the key policy grants the key to the account rather than naming the role (KMS Developer Guide,
 * "Default key policy"; personalize-kms-key-access). Personalize Developer Guide, "Giving Amazon
 * Personalize permission to use your AWS KMS key":
 * https://docs.aws.amazon.com/personalize/latest/dg/granting-personalize-key-access.html
 */
const KMS_NEEDED = new Set(KEY_POLICY_ACTIONS.map(a => a.toLowerCase()));
const needed = (action: CatalogAction) => KMS_NEEDED.has(action.name.toLowerCase());

/** For the service role's statements: the KMS keys it uses. */
export interface KmsNeed {
    /** The ARNs of the keys the role uses; undefined when the stack doesn't tell them (read only when a statement reaches a KMS key). */
    keyArns: () => string[] | undefined;
}

const kmsWildcardReasons = new Map<string, string | undefined>();

/** What a KMS Action pattern with a wildcard grants beyond the role's need. */
function kmsWildcardExcess(pattern: string): string | undefined {
    if (kmsWildcardReasons.has(pattern)) return kmsWildcardReasons.get(pattern);
    const beyond = actionsMatching([pattern], "kms").filter(a => !needed(a));
    const reason =
        beyond.length > 0
            ? `${JSON.stringify(pattern)} expands to ${beyond.length} KMS actions Personalize never needs (${someOf(beyond)})`
            : undefined;
    kmsWildcardReasons.set(pattern, reason);
    return reason;
}

function serviceOf(pattern: string): string {
    const colon = pattern.indexOf(":");
    return colon === -1 ? pattern : pattern.slice(0, colon).toLowerCase();
}

export function excessGrant(
    statement: Statement,
    bucket: PersonalizeBucket,
    partition: string,
    principal?: PrincipalSpec,
    kmsNeed?: KmsNeed,
): ExcessGrant | undefined {
    const bucketArn = `arn:${partition}:s3:::${bucket.name}`;
    const objects = `${bucketArn}/`;
    const output = bucket.workflow === "batch" ? `${objects}${bucket.batchOutputPrefix}` : undefined;
    const s3 = coveredActions(statement, "s3");
    const grants = (name: string) => s3.some(a => a.name === name);
    const reasons: string[] = [];
    const resources = statement.resource ?? [];
    const keyPrefix = `arn:${partition}:kms:`;
    // KMS actions grant something only on a key: judged when the statement may reach one.
    const kms =
        kmsNeed && (statement.notResource !== undefined || resources.some(r => mayReachPrefix(r, keyPrefix)))
            ? coveredActions(statement, "kms")
            : [];

    if (statement.notAction) {
        const writes = s3.filter(isWrite);
        const among = writes.length > 0 ? `, ${writes.length} S3 write actions among them (${someOf(writes)})` : "";
        reasons.push(`NotAction allows every action of every service it doesn't list${among}`);
    }
    const literal = (statement.action ?? []).filter(p => !hasWildcard(p));
    for (const pattern of (statement.action ?? []).filter(hasWildcard)) {
        const why = kms.length > 0 && serviceOf(pattern) === "kms" ? kmsWildcardExcess(pattern) : wildcardWrites(pattern);
        if (why) reasons.push(why);
    }
    const extraKms = kms.filter(a => !needed(a) && literal.some(p => p.toLowerCase() === a.name.toLowerCase()));
    if (extraKms.length > 0) reasons.push(`grants ${someOf(extraKms)}: KMS actions Personalize never needs`);
    const extraWrites = s3.filter(
        a => isWrite(a) && a.name !== "s3:PutObject" && literal.some(p => p.toLowerCase() === a.name.toLowerCase()),
    );
    const deletes = extraWrites.filter(a => /:Delete/.test(a.name));
    if (deletes.length > 0) reasons.push(`grants ${someOf(deletes)}: deletes, which Personalize never makes`);
    const otherWrites = extraWrites.filter(a => !deletes.includes(a));
    if (otherWrites.length > 0) reasons.push(`grants ${someOf(otherWrites)}: writes Personalize never makes`);

    if (grants("s3:PutObject")) {
        if (!output) reasons.push("grants s3:PutObject, which an import bucket's workflow never needs");
        else {
            const outside = resources.filter(r => mayReachPrefix(r, objects) && !staysUnderPrefix(r, output));
            if (outside.length > 0) reasons.push(`grants s3:PutObject on ${quoted(outside)}, outside the batch output folder "${output}"`);
        }
    }
    if ((s3.length > 0 || kms.length > 0) && statement.notResource) reasons.push("NotResource reaches every resource it doesn't list");
    if (s3.length > 0) {
        const beyond = resources.filter(
            r => mayReachPrefix(r, `arn:${partition}:s3:::`) && r !== bucketArn && !staysUnderPrefix(r, objects),
        );
        if (beyond.length > 0) reasons.push(`reaches ${quoted(beyond)}, beyond bucket "${bucket.name}"`);
    }
    const keyArns = kms.length > 0 ? kmsNeed?.keyArns() : undefined;
    if (kms.length > 0) {
        const toKeys = resources.filter(r => mayReachPrefix(r, keyPrefix));
        const wide = toKeys.filter(hasWildcard);
        if (wide.length > 0) reasons.push(`reaches ${quoted(wide)}: every KMS key it matches, not only the keys Personalize uses`);
        const others = keyArns ? toKeys.filter(r => !hasWildcard(r) && !keyArns.includes(r)) : [];
        if (others.length > 0) reasons.push(`reaches ${quoted(others)}: KMS keys Personalize doesn't use here (${keyArns!.join(", ")})`);
    }
    if (reasons.length === 0) return undefined;

    const narrow = (action: string, resource: string) => ({
        Effect: "Allow",
        ...(principal && { Principal: principalJson(principal) }),
        Action: action,
        Resource: resource,
    });
    const narrowed: object[] = [
        ...(grants("s3:ListBucket") ? [narrow("s3:ListBucket", bucketArn)] : []),
        ...(grants("s3:GetObject") ? [narrow("s3:GetObject", `${objects}*`)] : []),
        ...(output && grants("s3:PutObject") ? [narrow("s3:PutObject", `${output}*`)] : []),
    ];
    const kmsKept = KEY_POLICY_ACTIONS.filter(name => kms.some(a => a.name.toLowerCase() === name.toLowerCase()));
    if (kmsKept.length > 0) {
        const keys = keyArns ?? [`${keyPrefix}<region>:<account>:key/<id of the key Personalize uses>`];
        narrowed.push({ Effect: "Allow", Action: single(kmsKept), Resource: single(keys) });
    }
    return { reasons, narrowed };
}

/** A parsed principal written back as JSON, single identifiers as strings. */
function principalJson(principal: PrincipalSpec): unknown {
    if (principal === "*") return "*";
    return Object.fromEntries(Object.entries(principal).map(([type, ids]) => [type, single(ids)]));
}

/** A list written as policies write it: one element as a string. */
function single(values: string[]): string | string[] {
    return values.length === 1 ? values[0] : values;
}
