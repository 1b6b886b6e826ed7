import {
    contextLookup,
    KeySetJudge,
    type DenyHit,
    type EvaluationKind,
    type KeySet,
    type KeySetVerdict,
    type RequestEnvelope,
    type Statement,
} from "../iam";
import { personalizeContexts, referencedKeys, VPC_KEYS, type Caller, type RequestContext } from "./contexts";
import type { StackIdentity } from "../stack/identity";
import type { PersonalizeBucket } from "../stack/view";

/**
 * The requests Amazon Personalize makes to its bucket, each on a set of keys (every key under the
 * data prefix, every key under the batch output prefix, each object the stack declares, the bucket
 * itself), and the judgement of a policy on them in every request context Personalize may send
 * (contexts.ts): allowed only if allowed for every key in every context.
 */

export { PERSONALIZE_PRINCIPAL, VPC_KEYS } from "./contexts";

export interface RequiredAccess {
    action: string;
    keys: KeySet;
    /** The kinds of Personalize job that make the request, for aws:SourceArn. */
    jobs: string[];
    /** For a declared object: the data prefix request it is part of (its failure says it all). */
    within?: RequiredAccess;
}

const IMPORT_JOBS = ["dataset-import-job"];
const BATCH_JOBS = ["batch-inference-job", "batch-segment-job"];

/**
 * What Personalize must be allowed on the bucket: ListBucket on it; GetObject on every key under the
 * data prefix and on every object the stack declares; for batch, PutObject on every key under the
 * batch output prefix.
 */
export function requiredAccess(bucket: PersonalizeBucket, objectKeys: string[], partition: string): RequiredAccess[] {
    const arn = `arn:${partition}:s3:::${bucket.name}`;
    const readers = bucket.workflow === "batch" ? [...IMPORT_JOBS, ...BATCH_JOBS] : IMPORT_JOBS;
    const data: RequiredAccess = { action: "s3:GetObject", keys: { kind: "under", base: `${arn}/${bucket.dataPrefix}` }, jobs: readers };
    return [
        { action: "s3:ListBucket", keys: { kind: "one", arn }, jobs: readers },
        data,
        ...objectKeys.map(key => ({
            action: "s3:GetObject",
            keys: { kind: "one" as const, arn: `${arn}/${key}` },
            jobs: readers,
            ...(key.startsWith(bucket.dataPrefix) && { within: data }),
        })),
        ...(bucket.workflow === "batch"
            ? [{ action: "s3:PutObject", keys: { kind: "under" as const, base: `${arn}/${bucket.batchOutputPrefix}` }, jobs: BATCH_JOBS }]
            : []),
    ];
}

/** Who judges and how: the policy's statements, whose request, and the time of the check. */
export interface Judgement {
    statements: Statement[];
    kind: EvaluationKind;
    caller: Caller;
    identity: StackIdentity;
    now: Date;
    /** Through the service role: the role's ARN (undefined if the stack's account is unknown). */
    roleArn?: string;
    /** Only an explicit Deny fails (the role's requests against the bucket policy, which its own policies may allow). */
    onlyDenies?: boolean;
}

/** The role's session as a principal, for a bucket policy: its ARN names it, and so does its account. */
export function roleSessionPrincipal(
    roleArn: string | undefined,
    role: { name: string; path: string },
    identity: StackIdentity,
): RequestEnvelope["principal"] {
    const { partition, account } = identity;
    return {
        type: "AWS",
        // Unknown with the account: no identifier equals it, the session rules below decide.
        id: roleArn ?? "",
        session: { partition, ...(account && { account }), roleName: role.name, rolePath: role.path },
    };
}

/**
 * A required request that is not allowed: its action, the keys it fails on, and why (the statement,
 * the request context that fails, until when), so that a message can name each once.
 */
export interface RequestFailure {
    action: string;
    /** The key or keys: an ARN, `every key under <prefix>`, or an example key of a prefix. */
    target: string;
    /** A verb phrase for one request, e.g. `is denied by statement "NoSecrets"`. */
    reason: string;
}

export function failureText(failure: RequestFailure): string {
    return `${failure.action} on ${failure.target} ${failure.reason}`;
}

/**
 * Why each required request is not allowed. A declared object that fails is named instead of the
 * data prefix it is in (the narrowest failing keys); the prefix is named when no object fails.
 */
export function requestFailures(accesses: RequiredAccess[], judgement: Judgement, principal?: RequestEnvelope["principal"]): string[] {
    return requestFailureParts(accesses, judgement, principal).map(failureText);
}

export function requestFailureParts(
    accesses: RequiredAccess[],
    judgement: Judgement,
    principal?: RequestEnvelope["principal"],
): RequestFailure[] {
    const failed = new Map<RequiredAccess, RequestFailure>();
    for (const access of accesses) {
        const failure = failureOf(access, judgement, principal);
        if (failure !== undefined) failed.set(access, failure);
    }
    for (const access of failed.keys()) if (access.within) failed.delete(access.within);
    return [...failed.values()];
}

/**
 * Why a required request is not allowed, or undefined if it is: names the statement that denies it
 * or could not be shown to allow it, the keys concerned and the context that fails. A verdict that
 * changes at a date a condition names says until when it holds.
 */
export function whyNotAllowed(access: RequiredAccess, judgement: Judgement, principal?: RequestEnvelope["principal"]): string | undefined {
    const failure = failureOf(access, judgement, principal);
    return failure && failureText(failure);
}

function failureOf(access: RequiredAccess, judgement: Judgement, principal?: RequestEnvelope["principal"]): RequestFailure | undefined {
    const judge = new KeySetJudge(judgement.statements, { action: access.action, keys: access.keys, principal }, judgement.kind);
    const referenced = referencedKeys(judge.applicable);
    const failureAt = (now: Date) => {
        const contexts = personalizeContexts({ ...judgement, jobs: access.jobs, now, referenced });
        for (const context of contexts) {
            const verdict = judge.verdict(context);
            const failure = describeFailure(access, verdict, judgement, context);
            if (failure) return { failure, context };
        }
        return undefined;
    };
    const now = failureAt(judgement.now);
    if (!now) return undefined;
    const change = timesNamed(judgement.statements, judgement.now).find(t => failureAt(t) === undefined);
    const reason = `${now.failure.reason}${inContext(now.context, judgement)}${change ? ` until ${change.toISOString()}` : ""}`;
    return { ...now.failure, reason };
}

function describeFailure(
    access: RequiredAccess,
    verdict: KeySetVerdict,
    judgement: Judgement,
    context: RequestContext,
): RequestFailure | undefined {
    if (verdict.decision === "Allowed" || (judgement.onlyDenies && verdict.decision !== "ExplicitDeny")) return undefined;
    const { action } = access;
    if (verdict.decision === "ExplicitDeny") {
        const certain = verdict.deniedBy.filter(d => d.certain);
        if (certain.length > 0) return { action, target: onKeys(access, certain[0]), reason: `is denied by statement ${quote(certain)}` };
        return {
            action,
            target: onKeys(access, verdict.deniedBy[0]),
            reason:
                `may be denied by statement ${quote(verdict.deniedBy)}: ` +
                `its condition or resource can't be decided for Personalize's request${undocumented(verdict.deniedBy, context, judgement, ": ")}`,
        };
    }
    const target = keyText(access.keys, verdict.missed);
    const unsure = verdict.undeterminedAllows.map(statement => ({ statement }));
    return unsure.length > 0
        ? {
              action,
              target,
              reason: `is allowed only under a condition Personalize's requests can't be shown to meet (statement ${quote(unsure)}${undocumented(unsure, context, judgement, "; ")})`,
          }
        : { action, target, reason: "is not allowed by any statement" };
}

/**
 * The condition keys the statements test that the request context leaves unknown, other than the
 * ones that are unknown only while the stack's account or region is: AWS documents no value for
 * them in Personalize's requests (kms:ViaService, kms:EncryptionContext:..., kms:CallerAccount of
 * the service principal, and any key the contexts don't model), so a condition on them is
 * undecided, never met.
 */
function undocumented(hits: Array<{ statement: Statement }>, context: RequestContext, judgement: Judgement, separator: string): string {
    const lookup = contextLookup(context);
    const identityUnknown = judgement.identity.account === undefined || judgement.identity.region === undefined;
    const keys = new Map<string, string>();
    for (const { statement } of hits) {
        for (const { key } of statement.conditions) {
            const lower = key.toLowerCase();
            if (identityUnknown && ACCOUNT_KEYS.includes(lower)) continue;
            if (lookup(key).state === "unknown" && !keys.has(lower)) keys.set(lower, key);
        }
    }
    if (keys.size === 0) return "";
    return `${separator}Personalize's requests don't document the value of ${[...keys.values()].join(", ")}, so it is taken as undecided`;
}

function onKeys(access: RequiredAccess, hit: DenyHit): string {
    if (hit.prefix !== undefined) return `every key under ${hit.prefix}`;
    return keyText(access.keys, hit.example);
}

/** One key of the set, saying which set it stands for. */
function keyText(keys: KeySet, example: string | undefined): string {
    if (keys.kind === "one") return keys.arn;
    return example === undefined ? `every key under ${keys.base}` : `${example} (a key under ${keys.base})`;
}

/** Keys whose value is the stack's account or built from it (or, for aws:SourceArn, its region). */
const ACCOUNT_KEYS = ["aws:sourceaccount", "aws:sourcearn", "aws:principalarn", "aws:principalaccount", "kms:calleraccount"];

function inContext(context: RequestContext, judgement: Judgement): string {
    const needsAccount = judgement.caller === "role" || ACCOUNT_KEYS.some(k => referencedKeys(judgement.statements).has(k));
    const notes = [
        context.label && `request ${context.label}`,
        judgement.identity.account === undefined && needsAccount ? `the stack's account is ${judgement.identity.accountSource}` : "",
    ].filter(Boolean);
    return notes.length > 0 ? ` (${notes.join("; ")})` : "";
}

function quote(hits: Array<{ statement: Statement }>): string {
    return [...new Set(hits.map(h => `"${h.statement.label}"`))].join(", ");
}

const TIME_KEYS = new Set(["aws:currenttime", "aws:epochtime"]);

/**
 * The instants after `now` at which a condition on the time of the request can change its value:
 * each date it names, and one second later (dates compare to the second).
 */
function timesNamed(statements: Statement[], now: Date): Date[] {
    const times = statements
        .flatMap(s => s.conditions.filter(c => TIME_KEYS.has(c.key.toLowerCase())).flatMap(c => c.values))
        .map(v => (/^\d+$/.test(v) ? Number(v) * 1000 : Date.parse(v)))
        .filter(ms => Number.isFinite(ms) && ms > now.getTime())
        .flatMap(ms => [ms, ms + 1000]);
    return [...new Set(times)].sort((a, b) => a - b).map(ms => new Date(ms));
}

const VPC_KEYS_LOWER = new Set(VPC_KEYS.map(k => k.toLowerCase()));

export interface VpcUse {
    key: string;
    /** e.g. `its condition tests aws:SourceVpce (StringNotEquals)` or `its Resource uses aws:SourceVpce as a policy variable`. */
    text: string;
}

/**
 * Where a statement uses a network-origin key: tested in a condition (any case, any operator), or
 * as a policy variable in Resource, NotResource or a condition value (in a 2012-10-17 document).
 */
export function vpcKeyUses(statement: Statement): VpcUse[] {
    const uses: VpcUse[] = statement.conditions
        .filter(c => VPC_KEYS_LOWER.has(c.key.toLowerCase()))
        .map(c => ({ key: c.key, text: `its condition tests ${c.key} (${c.operator})` }));
    if (!statement.variables) return uses;
    const places: Array<[string, string[]]> = [
        ["its Resource", statement.resource ?? []],
        ["its NotResource", statement.notResource ?? []],
        ...statement.conditions.map((c): [string, string[]] => [`its condition value for ${c.key}`, c.values]),
    ];
    for (const [where, texts] of places) {
        for (const text of texts) {
            for (const m of text.matchAll(/\$\{([^},]*)/g)) {
                const key = m[1].trim();
                if (VPC_KEYS_LOWER.has(key.toLowerCase())) uses.push({ key, text: `${where} uses ${key} as a policy variable` });
            }
        }
    }
    return uses;
}
