import type { PolicyResource } from "@pulumi/policy";
import { ACCOUNT_TAG, REGION_TAG } from "./contract";
import type { PackConfig } from "./pack-config";

/**
 * The account, region and partition the stack deploys to, as far as evidence outside the document
 * being judged says, so that Personalize's requests can be modelled with their real
 * `aws:SourceAccount`/`aws:SourceArn` and a trust policy can be checked against the stack's own
 * account. A document never vouches for itself: a trust that pins a foreign account in both of its
 * conditions would otherwise name the only account the stack declares, and prove itself.
 *
 * In order, the first source that names one value wins:
 *  1. the pack config (`account`, `region`);
 *  2. the AWS provider resources the engine sends (a single `allowedAccountIds`, `region`);
 *  3. the contract tags `personalize-account`/`personalize-region` the component writes from the
 *     provider's own answer (`getCallerIdentity`, `getRegion`), known in preview;
 *  4. the ARNs of the stack's other resources (a Personalize or other regional ARN names both),
 *     never those of the resources whose documents are being judged.
 * So an ARN of another account elsewhere in the stack (a partner's statement in the bucket policy,
 * an import job's role in another account) doesn't hide the account an earlier source names. Each
 * value says where it came from, for messages; a source naming two values decides nothing, and a
 * value no source decides is unknown, with the candidates.
 */
export interface StackIdentity {
    partition: string;
    account?: string;
    region?: string;
    /** e.g. "pack config (account)", "the aws provider (allowedAccountIds)", "the ARNs the stack declares (arn:aws:personalize:...)". */
    accountSource: string;
    regionSource: string;
}

const PROVIDER_TYPE = "pulumi:providers:aws";
const ARN = /arn:(aws|aws-cn|aws-us-gov):([a-z0-9-]+):([a-z0-9-]*):(\d{12}):/g;
const ACCOUNT_ID = /^\d{12}$/;
const REGION = /^[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-\d+$/;

const SOURCES = {
    config: "pack config",
    provider: "the aws provider",
    tag: "the tag",
    arns: "the ARNs the stack declares",
};

/**
 * Whether a source states the value (the pack config, the provider, the component's tags) rather
 * than letting the pack infer it from ARNs: messages state an inferred value as an assumption.
 */
export function isStated(source: string): boolean {
    return [SOURCES.config, SOURCES.provider, SOURCES.tag].some(s => source.startsWith(s));
}

/**
 * `judged`: the URNs of the resources whose documents are being judged; their ARNs are no evidence
 * (without any, every resource's ARNs count).
 */
export function stackIdentity(resources: PolicyResource[], config: PackConfig, judged: Iterable<string> = []): StackIdentity {
    const providers = resources.filter(r => r.type === PROVIDER_TYPE);
    const providerRegions = distinct(providers.map(p => readOrUndefined(() => p.props.region)).filter(isString));
    const providerAccounts = distinct(providers.flatMap(p => allowedAccounts(readOrUndefined(() => p.props.allowedAccountIds))));
    const accountTags = tagged(resources, ACCOUNT_TAG, ACCOUNT_ID);
    const regionTags = tagged(resources, REGION_TAG, REGION);
    const excluded = new Set(judged);
    const arns = resources.filter(r => !excluded.has(r.urn)).flatMap(r => arnsIn(r));
    const judgedArns = resources.filter(r => excluded.has(r.urn)).flatMap(r => arnsIn(r));
    const arnAccounts = distinct(arns.map(a => a.account));
    const arnRegions = distinct(arns.filter(a => a.region !== "").map(a => a.region));
    const example = (pick: (a: FoundArn) => string, value: string) => arns.find(a => pick(a) === value)?.text;

    const account = choose([
        [config.account, `${SOURCES.config} (account)`],
        [single(providerAccounts), `${SOURCES.provider} (allowedAccountIds)`],
        [single(accountTags.values), `${SOURCES.tag} ${ACCOUNT_TAG} (${accountTags.where})`],
        [single(arnAccounts), `${SOURCES.arns} (${example(a => a.account, arnAccounts[0])})`],
    ]);
    const region = choose([
        [config.region, `${SOURCES.config} (region)`],
        [single(providerRegions), `${SOURCES.provider} (region)`],
        [single(regionTags.values), `${SOURCES.tag} ${REGION_TAG} (${regionTags.where})`],
        [single(arnRegions), `${SOURCES.arns} (${example(a => a.region, arnRegions[0])})`],
    ]);
    return {
        partition: config.partition,
        account: account?.[0],
        region: region?.[0],
        accountSource:
            account?.[1] ??
            unknownSource(
                "account",
                [...providerAccounts, ...accountTags.values, ...arnAccounts],
                judgedArns.map(a => a.account),
            ),
        regionSource:
            region?.[1] ??
            unknownSource(
                "region",
                [...providerRegions, ...regionTags.values, ...arnRegions],
                judgedArns.filter(a => a.region !== "").map(a => a.region),
            ),
    };
}

interface FoundArn {
    text: string;
    region: string;
    account: string;
}

/** Found once per resource: every policy asks, for each document it judges, and a resource's inputs don't change during a check. */
const arnsByResource = new WeakMap<PolicyResource, FoundArn[]>();

/** Every ARN with an account in a resource's inputs (policy documents included, as text). */
function arnsIn(resource: PolicyResource): FoundArn[] {
    let found = arnsByResource.get(resource);
    if (found === undefined) {
        found = [];
        for (const text of knownStrings(resource.props)) {
            for (const m of text.matchAll(ARN)) found.push({ text: `${m[0]}...`, region: m[3], account: m[4] });
        }
        arnsByResource.set(resource, found);
    }
    return found;
}

/**
 * The strings in a value, read one property at a time so that a value unknown in preview (an
 * import job's computed dataset group ARN) hides only itself, not the resource's other inputs.
 */
function knownStrings(value: unknown, out: string[] = []): string[] {
    if (typeof value === "string") out.push(value);
    else if (typeof value === "object" && value !== null) {
        for (const key of Object.keys(value))
            knownStrings(
                readOrUndefined(() => (value as Record<string, unknown>)[key]),
                out,
            );
    }
    return out;
}

/**
 * The distinct well-formed values of a contract tag across the stack's resources, and the first
 * resource that carries it (for messages). A value unknown in preview is skipped, as everywhere here.
 */
function tagged(resources: PolicyResource[], tag: string, form: RegExp): { values: string[]; where: string } {
    const carriers = resources
        .map(r => ({ r, value: readOrUndefined(() => r.props.tags?.[tag]) }))
        .filter((c): c is { r: PolicyResource; value: string } => typeof c.value === "string" && form.test(c.value));
    const first = carriers[0]?.r;
    return {
        values: distinct(carriers.map(c => c.value)),
        where: first ? `${first.type.slice(first.type.lastIndexOf(":") + 1)} "${first.name}"` : "",
    };
}

/** Provider inputs reach the pack as given or, in older engines, JSON-encoded as text. */
function allowedAccounts(value: unknown): string[] {
    const list = typeof value === "string" ? (value.match(/\d{12}/g) ?? []) : Array.isArray(value) ? value : [];
    return list.filter((v): v is string => typeof v === "string" && ACCOUNT_ID.test(v));
}

/**
 * Reads a value that may be unknown during preview: @pulumi/policy throws when an unknown is read,
 * and an unknown says nothing about the stack's account, so it is skipped rather than making every
 * policy that asks "can't run during preview".
 */
export function readOrUndefined<T>(read: () => T): T | undefined {
    try {
        return read();
    } catch {
        return undefined;
    }
}

function choose(candidates: Array<[string | undefined, string]>): [string, string] | undefined {
    return candidates.find((c): c is [string, string] => c[0] !== undefined);
}

function single(values: string[]): string | undefined {
    return values.length === 1 ? values[0] : undefined;
}

function distinct(values: string[]): string[] {
    return [...new Set(values)];
}

function isString(value: unknown): value is string {
    return typeof value === "string" && value !== "";
}

/** Why a value is unknown: the independent sources disagree, or only the judged documents name it (which can't vouch for themselves). */
function unknownSource(what: string, candidates: string[], judged: string[]): string {
    const found = distinct(candidates);
    const named = distinct(judged);
    const why =
        found.length > 1
            ? `the stack names ${found.length} ${what}s (${found.join(", ")})`
            : named.length > 0
              ? `only the document being judged names it (${named.join(", ")}), and a document can't vouch for itself`
              : "the stack doesn't say";
    return `unknown: ${why}; set "${what}" in the pack config`;
}
