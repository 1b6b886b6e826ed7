/**
 * What a role trust policy lets Amazon Personalize do, shown over every account rather than probed
 * with one made-up account.
 *
 * Personalize assumes its service role with `sts:AssumeRole`, sending `aws:SourceAccount` (the
 * account of the Personalize resource acting) and `aws:SourceArn` (that resource's ARN,
 * `arn:<partition>:personalize:<region>:<account>:<type>/<name>`): both keys, for the same account.
 * account-search.ts finds one account per class of accounts the trust's conditions can't tell apart
 * (and one region per class of regions), and every check below evaluates real requests for those
 * witnesses with the pack's evaluator.
 */
import { evaluate, type RequestEnvelope, type Statement, type Verdict } from "../iam";
import {
    AWS_ACCOUNTS,
    SOURCE_ACCOUNT,
    SOURCE_ARN,
    accountWitnesses,
    arnGroupsWithoutAccount,
    distinctArns,
    firstOfEach,
    regionWitnesses,
    type AccountSpace,
    type Source,
} from "./account-search";
import { PERSONALIZE_PRINCIPAL, VPC_KEYS } from "./requests";
import { isStated } from "../stack/identity";

/** One of Personalize's `sts:AssumeRole` requests: each source key present with its value, or absent. */
interface AssumeRoleSource {
    account?: string;
    arn?: string;
}

const ALWAYS_ABSENT = [...VPC_KEYS, "aws:PrincipalOrgID", "aws:PrincipalOrgPaths"];
/** The absent keys of each request shape, built once: every check makes about a hundred requests. */
const ABSENT_KEYS = {
    both: ALWAYS_ABSENT,
    noAccount: [...ALWAYS_ABSENT, SOURCE_ACCOUNT],
    noArn: [...ALWAYS_ABSENT, SOURCE_ARN],
    neither: [...ALWAYS_ABSENT, SOURCE_ACCOUNT, SOURCE_ARN],
};
const PRINCIPAL = { type: "Service", id: PERSONALIZE_PRINCIPAL } as const;

/**
 * Envelopes are immutable and kept between checks, up to a bound: the evaluator indexes a request's
 * context once per context object (in a WeakMap, which frees it only in a full collection), and
 * checks ask for the same requests again (the stack's own account, the all-zero witness, a stack's
 * trust judged in preview and in update).
 */
const ENVELOPE_LIMIT = 10_000;
const envelopes = new Map<string, RequestEnvelope>();

function personalizeAssumeRole(roleArn: string, source: AssumeRoleSource): RequestEnvelope {
    const key = `${roleArn} ${source.account === undefined ? "-" : `+${source.account}`} ${source.arn === undefined ? "-" : `+${source.arn}`}`;
    let envelope = envelopes.get(key);
    if (envelope === undefined) {
        if (envelopes.size >= ENVELOPE_LIMIT) envelopes.clear();
        envelopes.set(key, (envelope = newAssumeRole(roleArn, source)));
    }
    return envelope;
}

function newAssumeRole(roleArn: string, source: AssumeRoleSource): RequestEnvelope {
    const context: Record<string, string> = {
        "aws:PrincipalIsAWSService": "true",
        "aws:PrincipalServiceName": PERSONALIZE_PRINCIPAL,
        "aws:SecureTransport": "true",
        "aws:ViaAWSService": "false",
    };
    if (source.account !== undefined) context[SOURCE_ACCOUNT] = source.account;
    if (source.arn !== undefined) context[SOURCE_ARN] = source.arn;
    const absent =
        source.account !== undefined
            ? source.arn !== undefined
                ? ABSENT_KEYS.both
                : ABSENT_KEYS.noArn
            : source.arn !== undefined
              ? ABSENT_KEYS.noAccount
              : ABSENT_KEYS.neither;
    return { principal: PRINCIPAL, action: "sts:AssumeRole", resource: roleArn, context, absentKeys: absent };
}

export function personalizeArn(partition: string, region: string, account: string, resource: string): string {
    return `arn:${partition}:personalize:${region}:${account}:${resource}`;
}

/** Whether a verdict lets the request through: for certain, or only if an undecided Allow holds. */
type Admission = { certain: boolean; statements: Statement[] };

export function admission(verdict: Verdict): Admission | undefined {
    if (verdict.decision === "Allowed") return { certain: true, statements: verdict.allowedBy };
    const undecidedAllows = verdict.undetermined.filter(s => s.effect === "Allow");
    const certainDeny = verdict.deniedBy.some(s => !verdict.undetermined.includes(s));
    return undecidedAllows.length > 0 && !certainDeny ? { certain: false, statements: undecidedAllows } : undefined;
}

export function assume(statements: Statement[], roleArn: string, source: AssumeRoleSource): Verdict {
    return evaluate(statements, personalizeAssumeRole(roleArn, source), "resource");
}

/** The role and the stack it belongs to, as far as the stack says (see ../stack/identity.ts). */
export interface TrustSubject {
    roleArn: string;
    partition: string;
    account?: string;
    region?: string;
    accountSource: string;
    regionSource: string;
    /** Resource paths (`<type>/<name>`) of the Personalize jobs that use the role, for their source ARNs. */
    resources: string[];
    /** The accounts and the partition's regions to search: AWS's unless a test narrows them. */
    space?: AccountSpace;
    regions?: string[];
}

const quote = (statements: Statement[]) => [...new Set(statements.map(s => `"${s.label}"`))].join(", ");

/**
 * Where the stack's account and region came from, when that is an assumption worth stating (they
 * were read from the ARNs the stack declares, or are unknown); "" when the stack states them (its
 * pack config, aws provider or the component's tags).
 */
function assumptions(subject: TrustSubject, withRegion: boolean): string {
    const { account, region, accountSource, regionSource } = subject;
    if (withRegion && account !== undefined && region !== undefined && accountSource === regionSource && !isStated(accountSource)) {
        return `the stack's account ${account} and region ${region} are taken from ${accountSource}`;
    }
    const one = (what: string, value: string | undefined, source: string) =>
        value === undefined
            ? `the stack's ${what} is ${source}`
            : isStated(source)
              ? ""
              : `the stack's ${what} ${value} is taken from ${source}`;
    const parts = [one("account", account, accountSource), withRegion ? one("region", region, regionSource) : ""];
    return parts.filter(Boolean).join("; ");
}

/** A witness account with one of its source ARNs, and where that ARN comes from. */
interface Consistent {
    account: string;
    arn: string;
    source: Source;
}

/** The sources (region, resource) and account witnesses to try, and the real requests they make. */
function searchSpace(statements: Statement[], subject: TrustSubject) {
    const { partition, account } = subject;
    const regions = regionWitnesses(statements, partition, subject.region, subject.regions);
    const sources: Source[] = regions.flatMap(region => subject.resources.map(resource => ({ region, resource })));
    const own = account !== undefined ? [account] : [];
    const space = subject.space ?? AWS_ACCOUNTS;
    const witnesses = accountWitnesses(statements, { partition, regions, resources: subject.resources }, own, space);
    const distinct = distinctArns(statements, partition);
    const consistent: Consistent[] = witnesses.flatMap(a =>
        distinct(a, sources).map(source => ({ account: a, arn: personalizeArn(partition, source.region, a, source.resource), source })),
    );
    return { sources, witnesses, consistent };
}

/** Personalize's requests without aws:SourceAccount: one of each group of source ARNs the trust can't tell apart (account-search.ts). */
function withoutSourceAccount(statements: Statement[], partition: string, consistent: Consistent[]): AssumeRoleSource[] {
    const signature = arnGroupsWithoutAccount(statements, partition);
    const requests = signature ? firstOfEach(consistent, c => signature(c.account, c.source)) : consistent;
    return requests.map(c => ({ arn: c.arn }));
}

/**
 * The accounts other than the stack's (every one when it is unknown) that Personalize may assume
 * the role for under `statements`, one per class, each with a source ARN it is admitted from and the statements that
 * admit it.
 */
export function foreignAdmissions(
    statements: Statement[],
    subject: TrustSubject,
    consistent = searchSpace(statements, subject).consistent,
): Map<string, { arn: string; found: Admission }> {
    const admitted = new Map<string, { arn: string; found: Admission }>();
    for (const c of consistent.filter(c => c.account !== subject.account)) {
        if (admitted.has(c.account)) continue;
        const found = admission(assume(statements, subject.roleArn, c));
        if (found) admitted.set(c.account, { arn: c.arn, found });
    }
    return admitted;
}

/**
 * Why Personalize's trust is not what it must be, one problem per entry (empty when it is right):
 *  - both confused-deputy keys are required: a request lacking one must not be admitted, and each
 *    key must be pinned on its own (the stack's account, with the other key at the stack's value);
 *  - no account other than the stack's is admitted, from any region;
 *  - Personalize acting for the stack's account, from its region and partition, is admitted.
 * With the stack's account unknown, what holds for every account: a trust no account can use
 * fails, and so does one that admits two accounts or more (one of them is not the stack's); one
 * that admits a single account is right only if that is the stack's, which the pack can't tell, so
 * it says so, naming the account and the `account` setting that lets it verify the trust. That is a
 * problem like the others, never a pass: the gate would otherwise be green for a trust that pins a
 * foreign account, and setting the account (or deploying with the component, which tags it) is
 * always in the stack owner's hands.
 */
export function trustProblems(statements: Statement[], subject: TrustSubject): string[] {
    const { partition, account, roleArn } = subject;
    const region = subject.region;
    const { sources, witnesses, consistent } = searchSpace(statements, subject);
    const fixAccount = account ?? "<account>";
    const fix = {
        [SOURCE_ACCOUNT]: `StringEquals ${SOURCE_ACCOUNT} = ${fixAccount}`,
        [SOURCE_ARN]: `StringLike ${SOURCE_ARN} = ${personalizeArn(partition, region ?? "<region>", fixAccount, "*")}`,
    };
    const foreign = witnesses.filter(w => w !== account);
    const named = new Set(statements.flatMap(s => s.conditions.flatMap(c => c.values.flatMap(v => v.match(/\d+/g) ?? []))));
    const describeAccount = (a: string) => (named.has(a) ? `account ${a}` : `any account such as ${a}`);
    const problems: string[] = [];
    const admits = (source: AssumeRoleSource) => admission(assume(statements, roleArn, source));
    const mayAdmit = (a: Admission) => (a.certain ? "lets" : "may let (its condition can't be decided)");

    // Both keys required: requests that lack one or both of them.
    const missing: Array<[string[], AssumeRoleSource[]]> = [
        [[SOURCE_ACCOUNT, SOURCE_ARN], [{}]],
        [[SOURCE_ARN], witnesses.map(a => ({ account: a }))],
        [[SOURCE_ACCOUNT], withoutSourceAccount(statements, partition, consistent)],
    ];
    const unpinned = new Set<string>();
    for (const [keys, requests] of missing) {
        if (keys.some(k => unpinned.has(k))) continue;
        const found = firstDefined(requests, admits);
        if (!found) continue;
        keys.forEach(k => unpinned.add(k));
        problems.push(
            `statement ${quote(found.statements)} ${mayAdmit(found)} Personalize assume the role when its request carries no ${keys.join(" and no ")} ` +
                `(a confused deputy could use it); add ${keys.map(k => fix[k as keyof typeof fix]).join(" and ")}`,
        );
    }

    // Each key pinned on its own: with the other key at the stack's value, a key that admits the
    // stack's value admits no other account's.
    const own =
        account !== undefined && region !== undefined ? personalizeArn(partition, region, account, subject.resources[0]) : undefined;
    if (account !== undefined && region !== undefined && own !== undefined && admits({ account, arn: own })?.certain) {
        for (const other of foreign) {
            if (unpinned.has(SOURCE_ACCOUNT) && unpinned.has(SOURCE_ARN)) break;
            const resource = subject.resources[0];
            const pairs: Array<[string, AssumeRoleSource, string]> = [
                [
                    SOURCE_ARN,
                    { account, arn: personalizeArn(partition, region, other, resource) },
                    personalizeArn(partition, region, other, resource),
                ],
                [SOURCE_ACCOUNT, { account: other, arn: own }, other],
            ];
            for (const [key, source, value] of pairs) {
                const found = admits(source);
                if (!found || unpinned.has(key)) continue;
                unpinned.add(key);
                problems.push(
                    `statement ${quote(found.statements)} doesn't pin ${key} to your account: it ${mayAdmit(found)} ${key} ${value} through ` +
                        `with the other key at your account's value; add ${fix[key as keyof typeof fix]}`,
                );
            }
        }
    }

    // Exclusivity: every class of accounts other than the stack's, from every region.
    const admitted = foreignAdmissions(statements, subject, consistent);
    const listed = (found: typeof admitted) =>
        [...found.entries()].map(
            ([a, { arn, found }]) =>
                `${describeAccount(a)} (statement ${quote(found.statements)}${found.certain ? "" : ", if its undecidable condition holds"}, e.g. from ${arn})`,
        );
    const pinBoth = `pin both keys to your account: ${fix[SOURCE_ACCOUNT]} and ${fix[SOURCE_ARN]}`;
    if (account === undefined) {
        // What holds for every account, since the stack's is unknown.
        const stated = assumptions(subject, false);
        if (admitted.size === 0) {
            const [a] = witnesses.filter(w => named.has(w)).concat(witnesses);
            const source = { account: a, arn: personalizeArn(partition, sources[0].region, a, sources[0].resource) };
            problems.push(
                `${stated}, and no account can use the role: Personalize acting for ${describeAccount(a)} (${SOURCE_ACCOUNT} ${a}, ${SOURCE_ARN} ${source.arn}) ` +
                    `can't assume it: ${whyRefused(statements, assume(statements, roleArn, source), source, roleArn)}, nor can Personalize acting for any other account, ` +
                    `from any region; Personalize sends both keys for the same account: ${fix[SOURCE_ACCOUNT]} and ${fix[SOURCE_ARN]}`,
            );
        } else {
            // One class admitted: a single account, unless accounts other than its witness are admitted too.
            const [only] = admitted.keys();
            const others = admitted.size === 1 ? foreignAdmissions(statements, { ...subject, account: only }) : new Map();
            if (admitted.size === 1 && others.size === 0) {
                const [entry] = listed(admitted);
                problems.push(
                    `can't verify that it trusts the stack's own account: it lets Personalize acting for one account alone assume the role, ${entry}, ` +
                        `which is right only if ${only} is the stack's account, and the stack's account is ${subject.accountSource} ` +
                        `(to "${only}" if that is the stack's account; if not, ${pinBoth})`,
                );
            } else {
                problems.push(
                    `${stated}, and it lets Personalize acting for ${listed(new Map([...admitted, ...others])).join(", ")} assume the role; ${pinBoth}`,
                );
            }
        }
    } else if (admitted.size > 0) {
        const stated = assumptions(subject, false);
        problems.push(
            `it lets Personalize acting for accounts other than yours (${account}${stated ? `; ${stated}` : ""}) assume the role: ${listed(admitted).join(", ")}; ${pinBoth}`,
        );
    }

    // Usability: Personalize acting for the stack's account, from the stack's region (each region when unknown).
    if (account !== undefined) {
        for (const where of region !== undefined ? sources.filter(s => s.region === region) : sources) {
            const source = { account, arn: personalizeArn(partition, where.region, account, where.resource) };
            const verdict = assume(statements, roleArn, source);
            if (verdict.decision === "Allowed") continue;
            const stated = assumptions(subject, true);
            problems.push(
                `Personalize acting for your account ${account} (${SOURCE_ACCOUNT} ${account}, ${SOURCE_ARN} ${source.arn}${stated ? `; ${stated}` : ""}) ` +
                    `can't assume it: ${whyRefused(statements, verdict, source, roleArn)}; Personalize sends both keys for the same account, ` +
                    `from the stack's region and partition: ${fix[SOURCE_ACCOUNT]} and ${fix[SOURCE_ARN]}`,
            );
            break;
        }
    }
    return problems;
}

/** Names the Deny that refuses the request, or the conditions of each Allow that don't hold for it. */
function whyRefused(statements: Statement[], verdict: Verdict, source: AssumeRoleSource, roleArn: string): string {
    if (verdict.decision === "ExplicitDeny") return `statement ${quote(verdict.deniedBy)} denies it`;
    const undecided = verdict.undetermined.filter(s => s.effect === "Allow");
    if (undecided.length > 0) return `the condition of statement ${quote(undecided)} can't be decided for it`;
    const reasons = statements
        .filter(s => s.effect === "Allow" && assume([{ ...s, conditions: [] }], roleArn, source).decision === "Allowed")
        .map(s => {
            const failing = s.conditions.filter(
                (_, i) => assume([{ ...s, conditions: [s.conditions[i]] }], roleArn, source).decision !== "Allowed",
            );
            const shown = failing.map(c => `${c.operator} ${c.key} ${JSON.stringify(c.values.length === 1 ? c.values[0] : c.values)}`);
            return shown.length > 0 ? `in statement "${s.label}", ${shown.join(" and ")} doesn't hold` : undefined;
        })
        .filter(Boolean);
    return reasons.length > 0 ? reasons.join("; ") : "no Allow statement applies to it";
}

function firstDefined<T, R>(items: T[], map: (item: T) => R | undefined): R | undefined {
    for (const item of items) {
        const result = map(item);
        if (result !== undefined) return result;
    }
    return undefined;
}
