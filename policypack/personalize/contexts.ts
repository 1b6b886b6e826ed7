import type { Statement } from "../iam";
import type { StackIdentity } from "../stack/identity";

/**
 * The request contexts Amazon Personalize's S3 requests may carry: a small documented set of
 * concrete contexts, each judged on its own, so that a request is called allowed only if it is
 * allowed in every one of them.
 *
 * Always present, with known values (REFERENCE: IAM evaluation rules; S3 User Guide):
 *   aws:SecureTransport true (services call S3 over TLS), aws:ViaAWSService false,
 *   aws:CurrentTime / aws:EpochTime = the time of the check;
 *   as the service principal: aws:PrincipalIsAWSService true, aws:PrincipalServiceName
 *   personalize.amazonaws.com; through the service role: aws:PrincipalIsAWSService false,
 *   aws:PrincipalArn the role's ARN, aws:PrincipalAccount the stack's account, and for KMS
 *   kms:CallerAccount the stack's account (the account of the calling identity: AWS KMS Developer
 *   Guide, "AWS KMS condition keys", kms:CallerAccount,
 *   https://docs.aws.amazon.com/kms/latest/developerguide/conditions-kms.html#conditions-kms-caller-account).
 * Always absent: the network-origin (VPC) keys; for the service principal aws:PrincipalOrgID and
 * aws:PrincipalOrgPaths.
 * May be absent or present, so both are tried (only for keys the policy tests, since the others
 * can't change its verdict):
 *   aws:SourceAccount and aws:SourceArn (the stack's own account, the stack's region, a Personalize
 *   job of the kind that makes the request), aws:SourceIp (an AWS-owned address, 52.94.0.1),
 *   aws:PrincipalServiceNamesList (personalize.amazonaws.com).
 * One of several values: s3:TlsVersion 1.2 or 1.3.
 * Any other key is unknown, and the evaluator fails safe on it: among them kms:CallerAccount of the
 * service principal, kms:ViaService and kms:EncryptionContext:*, whose values in Personalize's
 * requests AWS doesn't document.
 */

export const PERSONALIZE_PRINCIPAL = "personalize.amazonaws.com";

/** Network-origin keys (IAM global condition keys): present only for requests from a VPC or an EC2 instance, never Personalize's. */
export const VPC_KEYS = [
    "aws:SourceVpc",
    "aws:SourceVpce",
    "aws:SourceVpcArn",
    "aws:VpcSourceIp",
    "aws:VpceAccount",
    "aws:VpceOrgID",
    "aws:VpceOrgPaths",
    "aws:Ec2InstanceSourceVpc",
    "aws:Ec2InstanceSourcePrivateIPv4",
];

/** An address in an AWS-owned range, standing for the address an AWS service calls from. */
export const AWS_SOURCE_IP = "52.94.0.1";

export type Caller = "service" | "role";

export interface RequestContext {
    /** What sets this context apart, for messages, e.g. `without aws:SourceAccount and aws:SourceArn`; "" when nothing does. */
    label: string;
    context: Record<string, string | string[]>;
    absentKeys: string[];
}

interface Option {
    label: string;
    present?: Record<string, string | string[]>;
    absent?: string[];
}

interface Dimension {
    keys: string[];
    options: Option[];
}

export interface ContextOptions {
    caller: Caller;
    identity: StackIdentity;
    /** The kinds of Personalize job that make the request (`dataset-import-job`, ...), for aws:SourceArn. */
    jobs: string[];
    now: Date;
    /** Keys (lower case) the policy tests or uses as variables: only those are varied. */
    referenced: Set<string>;
    /** The role's ARN, for requests through the service role; undefined when the stack's account is unknown. */
    roleArn?: string;
}

const built = new Map<string, RequestContext[]>();
const MAX_BUILT_KEPT = 256;

/** The contexts for these options; the same options (every request of a check) share one list, which callers must not change. */
export function personalizeContexts(options: ContextOptions): RequestContext[] {
    const { caller, identity, jobs, now, referenced, roleArn } = options;
    const key = [
        caller,
        identity.partition,
        identity.account,
        identity.region,
        jobs.join(" "),
        now.getTime(),
        [...referenced].sort().join(" "),
        roleArn,
    ].join("|");
    const known = built.get(key);
    if (known) return known;
    const contexts = buildContexts(options);
    if (built.size >= MAX_BUILT_KEPT) built.clear();
    built.set(key, contexts);
    return contexts;
}

function buildContexts(options: ContextOptions): RequestContext[] {
    let contexts: RequestContext[] = [base(options)];
    for (const dimension of dimensions(options)) {
        const choices = distinctFor(dimension.options, options.referenced);
        const varied = choices.length > 1;
        contexts = contexts.flatMap(c =>
            choices.map(o => ({
                label: [c.label, varied ? o.label : ""].filter(Boolean).join(", "),
                context: { ...c.context, ...o.present },
                absentKeys: [...c.absentKeys, ...(o.absent ?? [])],
            })),
        );
    }
    return contexts;
}

function base({ caller, identity, now, roleArn }: ContextOptions): RequestContext {
    const common = {
        "aws:SecureTransport": "true",
        "aws:ViaAWSService": "false",
        "aws:CurrentTime": now.toISOString().replace(/\.\d{3}Z$/, "Z"),
        "aws:EpochTime": String(Math.floor(now.getTime() / 1000)),
    };
    if (caller === "service") {
        return {
            label: "",
            context: { ...common, "aws:PrincipalIsAWSService": "true", "aws:PrincipalServiceName": PERSONALIZE_PRINCIPAL },
            absentKeys: [...VPC_KEYS, "aws:PrincipalOrgID", "aws:PrincipalOrgPaths"],
        };
    }
    return {
        label: "",
        context: {
            ...common,
            "aws:PrincipalIsAWSService": "false",
            ...(roleArn && { "aws:PrincipalArn": roleArn }),
            ...(identity.account && { "aws:PrincipalAccount": identity.account, "kms:CallerAccount": identity.account }),
        },
        absentKeys: [...VPC_KEYS, "aws:PrincipalServiceName"],
    };
}

function dimensions({ caller, identity, jobs }: ContextOptions): Dimension[] {
    const { partition, account, region } = identity;
    const sourceArn = (job: string) => `arn:${partition}:personalize:${region}:${account}:${job}/personalize-job`;
    const sources: Option[] = [{ label: "without aws:SourceAccount and aws:SourceArn", absent: ["aws:SourceAccount", "aws:SourceArn"] }];
    if (account === undefined) sources.push({ label: "with aws:SourceAccount and aws:SourceArn (the stack's account is unknown)" });
    else {
        sources.push({
            label: `with aws:SourceAccount ${account} and no aws:SourceArn`,
            present: { "aws:SourceAccount": account },
            absent: ["aws:SourceArn"],
        });
        for (const job of jobs) {
            sources.push(
                region === undefined
                    ? {
                          label: `with aws:SourceAccount ${account} and the aws:SourceArn of a ${job} (the stack's region is unknown)`,
                          present: { "aws:SourceAccount": account },
                      }
                    : {
                          label: `with aws:SourceAccount ${account} and aws:SourceArn ${sourceArn(job)}`,
                          present: { "aws:SourceAccount": account, "aws:SourceArn": sourceArn(job) },
                      },
            );
        }
    }
    return [
        { keys: ["aws:SourceAccount", "aws:SourceArn"], options: sources },
        {
            keys: ["aws:SourceIp"],
            options: [
                { label: "without aws:SourceIp", absent: ["aws:SourceIp"] },
                { label: `from aws:SourceIp ${AWS_SOURCE_IP}`, present: { "aws:SourceIp": AWS_SOURCE_IP } },
            ],
        },
        {
            keys: ["aws:PrincipalServiceNamesList"],
            options:
                caller === "service"
                    ? [
                          { label: "without aws:PrincipalServiceNamesList", absent: ["aws:PrincipalServiceNamesList"] },
                          {
                              label: `with aws:PrincipalServiceNamesList [${PERSONALIZE_PRINCIPAL}]`,
                              present: { "aws:PrincipalServiceNamesList": [PERSONALIZE_PRINCIPAL] },
                          },
                      ]
                    : [{ label: "", absent: ["aws:PrincipalServiceNamesList"] }],
        },
        {
            keys: ["s3:TlsVersion"],
            options: [
                { label: "over TLS 1.2", present: { "s3:TlsVersion": "1.2" } },
                { label: "over TLS 1.3", present: { "s3:TlsVersion": "1.3" } },
            ],
        },
    ];
}

/** The options that differ in a key the policy references (the first of each kind stands for the others). */
function distinctFor(options: Option[], referenced: Set<string>): Option[] {
    const seen = new Set<string>();
    return options.filter(o => {
        const shape = JSON.stringify([
            Object.entries(o.present ?? {}).filter(([k]) => referenced.has(k.toLowerCase())),
            (o.absent ?? []).filter(k => referenced.has(k.toLowerCase())),
        ]);
        if (seen.has(shape)) return false;
        seen.add(shape);
        return true;
    });
}

const VARIABLE = /\$\{([^}]*)\}/g;

const referencedByStatement = new WeakMap<Statement, string[]>();

/** The keys (lower case) the statements test in conditions or use as policy variables. */
export function referencedKeys(statements: Statement[]): Set<string> {
    const keys = new Set<string>();
    for (const s of statements) for (const key of keysOf(s)) keys.add(key);
    return keys;
}

function keysOf(s: Statement): string[] {
    const known = referencedByStatement.get(s);
    if (known) return known;
    const keys = s.conditions.map(c => c.key.toLowerCase());
    if (s.variables) {
        const texts = [...(s.resource ?? []), ...(s.notResource ?? []), ...s.conditions.flatMap(c => c.values)];
        for (const text of texts) {
            if (!text.includes("${")) continue;
            for (const m of text.matchAll(VARIABLE)) keys.push(m[1].split(",")[0].trim().toLowerCase());
        }
    }
    referencedByStatement.set(s, keys);
    return keys;
}
