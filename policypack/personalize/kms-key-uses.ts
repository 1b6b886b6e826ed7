import type { PolicyResource } from "@pulumi/policy";
import { parsePolicy, type Statement } from "../iam";
import { DATASET_GROUP_KEY_ARN, KMS_ALGORITHMS, isAliasReference, isAwsManagedS3Key, kmsJobs } from "./kms";
import type { RequiredAccess } from "./requests";
import { describeResource, type DeclaredRole, type PersonalizeBucket, type StackView } from "../stack/view";

/**
 * The KMS keys Amazon Personalize uses in the stack, each where it is named: the default encryption
 * of a Personalize bucket, and the KmsKeyArn of a dataset group (aws-native). A key named through
 * an alias the stack declares is followed to the key the alias points to, and a key the stack
 * declares is matched by its ARN or key ID, so that its key policy can be judged.
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
    alias: "aws:kms/alias:Alias",
    datasetGroup: "aws-native:personalize:DatasetGroup",
};

/** A role that must be able to use the key. */
export interface KeyUser {
    /** For messages: `service role "personalize-role"`, or `role <ARN>` for a role the stack doesn't declare. */
    label: string;
    /** Its ARN; undefined while the stack's account is unknown. */
    arn?: string;
    /** The role, when the stack declares it (its policies can then be read). */
    role?: DeclaredRole;
}

export interface KeyUse {
    /** What the key encrypts, e.g. `Personalize bucket "data" (batch)` or `Personalize DatasetGroup "retail"`. */
    subject: string;
    /** Where the key is named, e.g. `BucketServerSideEncryptionConfiguration "data-encryption"`. */
    where: string;
    urn: string;
    /** The key as it is named there (key ARN, key ID, alias name or alias ARN); undefined when a bucket names none, so S3 uses aws/s3. */
    reference?: string;
    /** The alias the reference names, when the stack declares it. */
    alias?: PolicyResource;
    /** The key the reference stands for (the alias's targetKeyId, else the reference); undefined for an alias outside the stack. */
    target?: string;
    /** The key resource the stack declares for it, matched by its ARN or key ID. */
    key?: PolicyResource;
    /** The roles whose requests use the key. */
    users: KeyUser[];
    /** The kinds of Personalize resource whose creation uses the key, for aws:SourceArn. */
    jobs: string[];
    /** What the key encrypts there, e.g. `new objects`. */
    encrypts: string;
    /** What fails when Personalize can't use the key. */
    consequence: string;
    /** Why the key can't be named this way, whatever its key policy says. */
    problems: string[];
}

/** Every use of a KMS key by Personalize that the stack declares. */
export function keyUses(view: StackView): KeyUse[] {
    return [...view.buckets.flatMap(bucket => bucketKeyUses(view, bucket)), ...datasetGroupKeyUses(view)];
}

interface EncryptionRule {
    applyServerSideEncryptionByDefault?: { sseAlgorithm?: unknown; kmsMasterKeyId?: unknown };
}

/**
 * The keys a bucket's default encryption names: set by a BucketServerSideEncryptionConfiguration
 * (either token) naming the bucket, or by the bucket's own serverSideEncryptionConfiguration. The
 * service roles of the bucket use them.
 */
function bucketKeyUses(view: StackView, bucket: PersonalizeBucket): KeyUse[] {
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
    const users = view
        .personalizeRoles()
        .filter(r => r.bucketName === bucket.name)
        .map(role => ({ label: `service role "${role.name}"`, arn: view.roleArn(role), role }));
    return settings.flatMap(({ where, urn, rules }) =>
        rules
            .map(rule => rule?.applyServerSideEncryptionByDefault)
            .filter(sse => KMS_ALGORITHMS.includes(String(sse?.sseAlgorithm)))
            .map(sse => {
                const reference = typeof sse?.kmsMasterKeyId === "string" && sse.kmsMasterKeyId !== "" ? sse.kmsMasterKeyId : undefined;
                const subject = `Personalize bucket "${bucket.name}" (${bucket.workflow})`;
                return {
                    subject,
                    where,
                    urn,
                    reference,
                    ...resolve(view, reference),
                    users,
                    jobs: kmsJobs(bucket.workflow),
                    encrypts: "new objects",
                    consequence: 'imports fail with "Insufficient privileges for accessing data in Amazon S3"',
                    problems: [],
                };
            }),
    );
}

/**
 * The key a dataset group encrypts its datasets with. CreateDatasetGroup takes with it the role
 * that may use the key, and that role and Personalize then use it for the group and the imports
 * into it (Personalize Developer Guide, "Giving Amazon Personalize permission to use your AWS KMS
 * key": dataset groups need the key policy and the role's IAM policy both;
 * https://docs.aws.amazon.com/personalize/latest/dg/granting-personalize-key-access.html).
 */
function datasetGroupKeyUses(view: StackView): KeyUse[] {
    return view.resources
        .filter(r => r.type === TYPES.datasetGroup)
        .flatMap(group => {
            const reference: unknown = group.props.kmsKeyArn;
            if (typeof reference !== "string" || reference === "") return [];
            const roleArn: unknown = group.props.roleArn;
            const role = view.declaredRole(roleArn);
            const users: KeyUser[] =
                typeof roleArn === "string" && roleArn !== ""
                    ? [{ label: role ? `service role "${role.name}"` : `role ${roleArn}`, arn: roleArn, ...(role && { role }) }]
                    : [];
            const use: KeyUse = {
                subject: `Personalize ${describeResource(group)}`,
                where: describeResource(group, "kmsKeyArn"),
                urn: group.urn,
                reference,
                ...resolve(view, reference),
                users,
                jobs: kmsJobs("import"),
                encrypts: "its datasets",
                consequence: "the dataset group can't be created, nor data imported into it",
                problems: [],
            };
            if (users.length === 0) {
                use.problems.push(
                    "it sets kmsKeyArn without roleArn, and CreateDatasetGroup needs with a key the role that may use it " +
                        "(https://docs.aws.amazon.com/personalize/latest/dg/API_CreateDatasetGroup.html); set roleArn to the service role",
                );
            }
            if (!DATASET_GROUP_KEY_ARN.test(reference) && !isAwsManagedS3Key(reference)) {
                const arn = keyArnOf(view, use);
                use.problems.push(
                    `its kmsKeyArn ${JSON.stringify(reference)} is not a key ARN, and AWS::Personalize::DatasetGroup takes only ` +
                        `arn:<partition>:kms:<region>:<account>:key/<key id>; ${arn ? `set it to ${arn}` : "set it to the ARN of the key"}`,
                );
            }
            return [use];
        });
}

/** The declared alias and key a reference stands for, and the key it names (the alias's target). */
function resolve(view: StackView, reference: string | undefined): Pick<KeyUse, "alias" | "target" | "key"> {
    if (reference === undefined) return {};
    let target = reference;
    let alias: PolicyResource | undefined;
    if (isAliasReference(reference)) {
        alias = declaredAlias(view, reference);
        const targetKeyId: unknown = alias?.props.targetKeyId;
        if (typeof targetKeyId !== "string" || targetKeyId === "") return { ...(alias && { alias }) };
        target = targetKeyId;
    }
    const key = view.resources.filter(r => r.type === TYPES.key).find(k => k.props.arn === target || k.props.keyId === target);
    return { ...(alias && { alias }), target, ...(key && { key }) };
}

/**
 * The alias the stack declares under an alias name, or under an alias ARN of the stack's own
 * account and region (an alias is named within its account and region, so an ARN of another, or
 * one the stack's identity can't place, names another alias).
 */
function declaredAlias(view: StackView, reference: string): PolicyResource | undefined {
    const name = reference.slice(reference.indexOf("alias/"));
    if (reference.startsWith("arn:")) {
        const { partition, region, account } = view.identity;
        if (region === undefined || account === undefined || !reference.startsWith(`arn:${partition}:kms:${region}:${account}:alias/`))
            return undefined;
    }
    return view.resources.find(r => r.type === TYPES.alias && r.props.name === name);
}

/** The key's ARN: as the stack holds it, else the target if it is one, else built from a key ID and the stack's account and region. */
export function keyArnOf(view: StackView, use: KeyUse): string | undefined {
    const arn = use.key?.props.arn;
    if (typeof arn === "string") return arn;
    const target = use.target;
    if (target === undefined || isAliasReference(target)) return undefined;
    if (target.startsWith("arn:")) return /:key\//.test(target) ? target : undefined;
    const { partition, region, account } = view.identity;
    if (region === undefined || account === undefined) return undefined;
    return `arn:${partition}:kms:${region}:${account}:key/${target}`;
}

/** How the key is named, for messages: the key, and the alias it was reached through. */
export function keyText(use: KeyUse, keyArn: string | undefined): string {
    const key = use.key ? `${describeResource(use.key)} (${keyArn})` : (keyArn ?? use.target ?? use.reference ?? "");
    return use.alias ? `${key}, through ${describeResource(use.alias)} (${use.reference})` : key;
}

/** What Personalize must be allowed on the key, each action a request on the key's ARN. */
export function keyAccess(actions: string[], keyArn: string, jobs: string[]): RequiredAccess[] {
    return actions.map(action => ({ action, keys: { kind: "one" as const, arn: keyArn }, jobs }));
}

/** The role's statements from every identity policy the stack declares for it, or undefined if one can't be read. */
export function roleStatements(
    view: StackView,
    role: Pick<DeclaredRole, "name" | "resource">,
): { statements: Statement[]; unreadable: string[]; urns: string[] } | undefined {
    const { sources, unreadable } = view.roleIdentityPolicies(role);
    const statements: Statement[] = [];
    for (const source of sources) {
        const parsed = parsePolicy(source.document, "identity");
        if (!parsed.ok) return undefined;
        statements.push(...parsed.statements);
    }
    return { statements, unreadable, urns: sources.map(s => s.urn) };
}

/**
 * The ARNs of the keys a role uses (its bucket's, and those of the dataset groups created with
 * it), or undefined when the stack doesn't tell them all (a key named by an alias the stack doesn't
 * declare) or names none.
 */
export function keyArnsUsedBy(view: StackView, role: DeclaredRole): string[] | undefined {
    const arns = new Set<string>();
    for (const use of keyUses(view)) {
        if (!use.users.some(u => u.role?.resource.urn === role.resource.urn)) continue;
        if (use.reference === undefined || isAwsManagedS3Key(use.reference)) continue;
        const arn = keyArnOf(view, use);
        if (arn === undefined) return undefined;
        arns.add(arn);
    }
    return arns.size > 0 ? [...arns] : undefined;
}
