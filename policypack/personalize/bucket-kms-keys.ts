import type { PolicyResource } from "@pulumi/policy";
import { parsePolicy, type Statement } from "../iam";
import { KMS_ALGORITHMS, kmsJobs } from "./kms";
import type { RequiredAccess } from "./requests";
import { describeResource, type PersonalizeBucket, type PersonalizeRole, type StackView } from "../stack/view";

/**
 * The KMS keys a Personalize bucket's default encryption names, and the key resources the stack
 * declares for them. A bucket's default encryption is set by a BucketServerSideEncryptionConfiguration
 * (either token) naming the bucket, or by the bucket's own serverSideEncryptionConfiguration.
 *
 * Reading a value unknown during preview (a created key's ARN) throws, as everywhere in the pack:
 * the engine then reports "can't run during preview".
 */

const TYPES = {
    encryption: [
        "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
        "aws:s3/bucketServerSideEncryptionConfigurationV2:BucketServerSideEncryptionConfigurationV2",
    ],
    key: "aws:kms/key:Key",
};

export interface BucketKeyUse {
    /** Where the default encryption is set, e.g. `BucketServerSideEncryptionConfiguration "data-encryption"`. */
    where: string;
    urn: string;
    /** The key as the configuration names it (ARN, key ID or alias); undefined when it names none, so S3 uses aws/s3. */
    reference?: string;
    /** The key resource the stack declares under that reference, matched by its ARN or key ID. */
    key?: PolicyResource;
}

interface EncryptionRule {
    applyServerSideEncryptionByDefault?: { sseAlgorithm?: unknown; kmsMasterKeyId?: unknown };
}

export function bucketKeyUses(view: StackView, bucket: PersonalizeBucket): BucketKeyUse[] {
    const settings: Array<{ where: string; urn: string; rules: EncryptionRule[] }> = view.resources
        .filter(r => TYPES.encryption.includes(r.type) && r.props.bucket === bucket.name)
        .map(r => ({ where: describeResource(r), urn: r.urn, rules: Array.isArray(r.props.rules) ? r.props.rules : [] }));
    const inline = bucket.resource?.props.serverSideEncryptionConfiguration?.rule;
    if (inline && bucket.resource) {
        settings.push({
            where: describeResource(bucket.resource, "serverSideEncryptionConfiguration"),
            urn: bucket.resource.urn,
            rules: [inline],
        });
    }
    const keys = view.resources.filter(r => r.type === TYPES.key);
    return settings.flatMap(({ where, urn, rules }) =>
        rules
            .map(rule => rule?.applyServerSideEncryptionByDefault)
            .filter(sse => KMS_ALGORITHMS.includes(String(sse?.sseAlgorithm)))
            .map(sse => {
                const reference = typeof sse?.kmsMasterKeyId === "string" && sse.kmsMasterKeyId !== "" ? sse.kmsMasterKeyId : undefined;
                const key = reference === undefined ? undefined : keys.find(k => k.props.arn === reference || k.props.keyId === reference);
                return { where, urn, reference, ...(key && { key }) };
            }),
    );
}

/** The key's ARN: as the stack holds it, else the reference if it is one, else built from a key ID and the stack's account and region. */
export function keyArnOf(view: StackView, use: BucketKeyUse): string | undefined {
    const arn = use.key?.props.arn;
    if (typeof arn === "string") return arn;
    const reference = use.reference ?? "";
    if (reference.startsWith("arn:")) return /:key\//.test(reference) ? reference : undefined;
    const { partition, region, account } = view.identity;
    if (reference.startsWith("alias/") || region === undefined || account === undefined) return undefined;
    return `arn:${partition}:kms:${region}:${account}:key/${reference}`;
}

/** What Personalize must be allowed on the key, each action a request on the key's ARN. */
export function keyAccess(actions: string[], keyArn: string, bucket: PersonalizeBucket): RequiredAccess[] {
    return actions.map(action => ({ action, keys: { kind: "one" as const, arn: keyArn }, jobs: kmsJobs(bucket.workflow) }));
}

/** The service role's statements from every identity policy the stack declares for it, or undefined if one can't be read. */
export function roleStatements(view: StackView, role: PersonalizeRole): { statements: Statement[]; unreadable: string[] } | undefined {
    const { sources, unreadable } = view.roleIdentityPolicies(role);
    const statements: Statement[] = [];
    for (const source of sources) {
        const parsed = parsePolicy(source.document, "identity");
        if (!parsed.ok) return undefined;
        statements.push(...parsed.statements);
    }
    return { statements, unreadable };
}
