import type { PolicyResource } from "@pulumi/policy";
import type { PackConfig } from "./pack-config";

/**
 * The account, region and partition the stack deploys to, as far as the stack itself says, so
 * that Personalize's requests can be modelled with their real `aws:SourceAccount`/`aws:SourceArn`
 * and a trust policy can be checked against the stack's own account.
 *
 * In order: the pack config (`account`, `region`); the AWS provider resources the engine sends
 * (`region`, a single `allowedAccountIds`); the ARNs the stack declares (a Personalize or other
 * regional ARN names both). Each found value says where it came from, for messages; a value the
 * stack gives two different ways (two accounts in its ARNs) is left unknown, with the candidates.
 */
export interface StackIdentity {
    partition: string;
    account?: string;
    region?: string;
    /** e.g. "pack config", "the aws provider", "ARNs the stack declares (arn:aws:personalize:...)". */
    accountSource: string;
    regionSource: string;
}

const PROVIDER_TYPE = "pulumi:providers:aws";
const ARN = /arn:(aws|aws-cn|aws-us-gov):([a-z0-9-]+):([a-z0-9-]*):(\d{12}):/g;
const ACCOUNT_ID = /^\d{12}$/;

export function stackIdentity(resources: PolicyResource[], config: PackConfig): StackIdentity {
    const providers = resources.filter(r => r.type === PROVIDER_TYPE);
    const providerRegions = distinct(providers.map(p => readOrUndefined(() => p.props.region)).filter(isString));
    const providerAccounts = distinct(providers.flatMap(p => allowedAccounts(readOrUndefined(() => p.props.allowedAccountIds))));
    const arns = resources.flatMap(r => arnsIn(r));
    const arnAccounts = distinct(arns.map(a => a.account));
    const arnRegions = distinct(arns.filter(a => a.region !== "").map(a => a.region));
    const example = (pick: (a: FoundArn) => string, value: string) => arns.find(a => pick(a) === value)?.text;

    const account = choose([
        [config.account, "pack config (account)"],
        [single(providerAccounts), "the aws provider (allowedAccountIds)"],
        [single(arnAccounts), `the ARNs the stack declares (${example(a => a.account, arnAccounts[0])})`],
    ]);
    const region = choose([
        [config.region, "pack config (region)"],
        [single(providerRegions), "the aws provider (region)"],
        [single(arnRegions), `the ARNs the stack declares (${example(a => a.region, arnRegions[0])})`],
    ]);
    return {
        partition: config.partition,
        account: account?.[0],
        region: region?.[0],
        accountSource: account?.[1] ?? unknownSource("account", [...providerAccounts, ...arnAccounts]),
        regionSource: region?.[1] ?? unknownSource("region", [...providerRegions, ...arnRegions]),
    };
}

interface FoundArn {
    text: string;
    region: string;
    account: string;
}

/** Every ARN with an account in a resource's inputs (policy documents included, as text). */
function arnsIn(resource: PolicyResource): FoundArn[] {
    const text = readOrUndefined(() => JSON.stringify(resource.props));
    if (text === undefined) return [];
    return [...text.matchAll(ARN)].map(m => ({ text: `${m[0]}...`, region: m[3], account: m[4] }));
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
function readOrUndefined<T>(read: () => T): T | undefined {
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

function unknownSource(what: string, candidates: string[]): string {
    const found = distinct(candidates);
    return found.length > 1
        ? `unknown: the stack names ${found.length} ${what}s (${found.join(", ")}); set "${what}" in the pack config`
        : `unknown: the stack doesn't say; set "${what}" in the pack config`;
}
