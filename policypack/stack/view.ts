import type { PolicyResource } from "@pulumi/policy";
import { BATCH_OUTPUT_TAG, DATA_PREFIX_TAG, ROLE_BUCKET_TAG, WORKFLOW_TAG, WORKFLOWS, type Workflow } from "./contract";
import type { PackConfig } from "./pack-config";
import { stackIdentity, type StackIdentity } from "./identity";

/**
 * What the policies look at, read from the stack's resources: the Personalize buckets, their
 * policies and settings, and the service roles with their policies. Resources are tied together by
 * names (the bucket name, the role name), which are known during preview; computed ARNs are not.
 *
 * Reading a value that is unknown during preview throws @pulumi/policy's UnknownValueError, which
 * the engine reports as "can't run during preview" (advisory): nothing here catches it.
 */

export const TYPES = {
    buckets: ["aws:s3/bucket:Bucket", "aws:s3/bucketV2:BucketV2"],
    bucketPolicy: "aws:s3/bucketPolicy:BucketPolicy",
    publicAccessBlock: "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock",
    accountPublicAccessBlock: "aws:s3/accountPublicAccessBlock:AccountPublicAccessBlock",
    objects: ["aws:s3/bucketObject:BucketObject", "aws:s3/bucketObjectv2:BucketObjectv2"],
    role: "aws:iam/role:Role",
    rolePolicy: "aws:iam/rolePolicy:RolePolicy",
    rolePolicyAttachment: "aws:iam/rolePolicyAttachment:RolePolicyAttachment",
    policy: "aws:iam/policy:Policy",
} as const;

export interface PersonalizeBucket {
    name: string;
    workflow: Workflow;
    /** Where batch jobs write, ending in "/"; "" for the whole bucket. */
    batchOutputPrefix: string;
    /**
     * The key prefix Personalize imports from, ending in "/" ("" for the whole bucket): the folder
     * the objects the stack declares in the bucket share, else the personalize-data-prefix tag.
     */
    dataPrefix: string;
    /** The bucket resource, when the stack declares it. */
    resource?: PolicyResource;
}

/** A policy document and where it came from, for messages. */
export interface DocumentSource {
    /** e.g. `BucketPolicy "data-policy"` or `Bucket "data" (policy)`. */
    where: string;
    urn: string;
    document: unknown;
}

export interface Finding {
    message: string;
    urn?: string;
}

/** A role the stack declares. */
export interface DeclaredRole {
    resource: PolicyResource;
    name: string;
    /** `/` unless the role sets another path. */
    path: string;
}

export interface PersonalizeRole extends DeclaredRole {
    /** The bucket named by the role's personalize-bucket tag. */
    bucketName: string;
}

function shortType(type: string): string {
    return type.slice(type.lastIndexOf(":") + 1);
}

export function describeResource(resource: PolicyResource, property?: string): string {
    return `${shortType(resource.type)} "${resource.name}"${property ? ` (${property})` : ""}`;
}

function isOneOf(resource: PolicyResource, types: readonly string[]): boolean {
    return types.includes(resource.type);
}

export class StackView {
    readonly buckets: PersonalizeBucket[] = [];
    /** Problems in how buckets are marked (a bad tag value). */
    readonly markingProblems: Finding[] = [];

    constructor(
        readonly resources: PolicyResource[],
        readonly config: PackConfig,
    ) {
        const declared = new Map<string, PolicyResource>();
        for (const r of resources.filter(r => isOneOf(r, TYPES.buckets))) {
            const name = r.props.bucket;
            if (typeof name === "string") declared.set(name, r);
            const tags = r.props.tags ?? {};
            const workflow = tags[WORKFLOW_TAG];
            if (workflow === undefined) continue;
            if (!WORKFLOWS.includes(workflow)) {
                this.markingProblems.push({
                    urn: r.urn,
                    message: `${describeResource(r)} has tag ${WORKFLOW_TAG}=${JSON.stringify(workflow)}; use "import" or "batch"`,
                });
                continue;
            }
            this.buckets.push({
                name,
                workflow,
                batchOutputPrefix: folderPrefix(tags[BATCH_OUTPUT_TAG]),
                dataPrefix: this.declaredDataPrefix(name) ?? folderPrefix(tags[DATA_PREFIX_TAG]),
                resource: r,
            });
        }
        for (const [name, workflow] of Object.entries(config.buckets)) {
            if (this.buckets.some(b => b.name === name)) continue;
            this.buckets.push({
                name,
                workflow,
                batchOutputPrefix: "",
                dataPrefix: this.declaredDataPrefix(name) ?? "",
                resource: declared.get(name),
            });
        }
    }

    private readonly identities = new Map<string, StackIdentity>();

    /** The stack's account, region and partition, with where each came from, every resource's ARNs counting as evidence. */
    get identity(): StackIdentity {
        return this.identityFor([]);
    }

    /**
     * The same, for judging the documents of the resources `judged` (URNs): their own ARNs are no
     * evidence of the account they are judged against (identity.ts).
     */
    identityFor(judged: string[]): StackIdentity {
        const key = [...new Set(judged)].sort().join(" ");
        let identity = this.identities.get(key);
        if (identity === undefined) this.identities.set(key, (identity = stackIdentity(this.resources, this.config, judged)));
        return identity;
    }

    private ofType(...types: string[]): PolicyResource[] {
        return this.resources.filter(r => types.includes(r.type));
    }

    /** Every policy the stack sets on the bucket: BucketPolicy resources and the bucket's own `policy`. */
    bucketPolicies(bucket: PersonalizeBucket): DocumentSource[] {
        const sources = this.ofType(TYPES.bucketPolicy)
            .filter(r => r.props.bucket === bucket.name)
            .map(r => ({ where: describeResource(r), urn: r.urn, document: r.props.policy }));
        const inline = bucket.resource?.props.policy;
        if (inline !== undefined && bucket.resource) {
            sources.push({ where: describeResource(bucket.resource, "policy"), urn: bucket.resource.urn, document: inline });
        }
        return sources;
    }

    publicAccessBlocks(bucket: PersonalizeBucket): PolicyResource[] {
        return this.ofType(TYPES.publicAccessBlock).filter(r => r.props.bucket === bucket.name);
    }

    accountPublicAccessBlocks(): PolicyResource[] {
        return this.ofType(TYPES.accountPublicAccessBlock);
    }

    objectKeys(bucket: Pick<PersonalizeBucket, "name">): string[] {
        return this.ofType(...TYPES.objects)
            .filter(r => r.props.bucket === bucket.name)
            .map(r => r.props.key)
            .filter((key): key is string => typeof key === "string");
    }

    /**
     * The folder every CSV the stack declares in the bucket is in ("" when they share none), or
     * undefined without one. Personalize imports CSV files only; other objects, such as the JSON
     * Lines input of batch jobs, are read where they are (each declared object is checked by itself),
     * and counting them would widen the import folder to folders Personalize never reads.
     */
    private declaredDataPrefix(bucketName: string): string | undefined {
        const keys = this.objectKeys({ name: bucketName }).filter(key => /\.csv$/i.test(key));
        if (keys.length === 0) return undefined;
        let common = keys[0];
        for (const key of keys) while (!key.startsWith(common)) common = common.slice(0, -1);
        return common.slice(0, common.lastIndexOf("/") + 1);
    }

    bucketNamed(name: string): PersonalizeBucket | undefined {
        return this.buckets.find(b => b.name === name);
    }

    /** Roles marked with the personalize-bucket tag. */
    personalizeRoles(): PersonalizeRole[] {
        return this.ofType(TYPES.role)
            .filter(r => typeof r.props.tags?.[ROLE_BUCKET_TAG] === "string")
            .map(r => ({
                resource: r,
                name: r.props.name,
                bucketName: r.props.tags[ROLE_BUCKET_TAG],
                path: rolePath(r),
            }));
    }

    /**
     * The role the stack declares that an ARN names, by path and name, in the stack's partition and
     * (when known) account; undefined for a role the stack doesn't declare.
     */
    declaredRole(roleArn: unknown): DeclaredRole | undefined {
        const arn = roleArnParts(roleArn);
        if (!arn) return undefined;
        const { partition, account, path, name } = arn;
        const { identity } = this;
        if (partition !== identity.partition || (identity.account !== undefined && account !== identity.account)) return undefined;
        const resource = this.ofType(TYPES.role).find(r => r.props.name === name && rolePath(r) === path);
        return resource && { resource, name, path };
    }

    /** The role's ARN, from its path and name and the stack's account; undefined while the account is unknown. */
    roleArn(role: Pick<DeclaredRole, "name" | "path">, identity: StackIdentity = this.identity): string | undefined {
        const { partition, account } = identity;
        return account === undefined ? undefined : `arn:${partition}:iam::${account}:role${role.path}${role.name}`;
    }

    /**
     * The role's permissions boundary: the managed policy the stack declares for it, or only its ARN
     * when the policy is not in the stack, or nothing when the role has none.
     */
    permissionsBoundary(role: Pick<DeclaredRole, "resource">): { arn?: string; source?: DocumentSource } {
        const arn: unknown = role.resource.props.permissionsBoundary;
        if (typeof arn !== "string" || arn === "") return {};
        const policy = this.ofType(TYPES.policy).find(p => managedPolicyArnMatches(arn, p));
        return policy ? { arn, source: { where: describeResource(policy), urn: policy.urn, document: policy.props.policy } } : { arn };
    }

    /**
     * The role's identity policies found in the stack: inline (RolePolicy, the role's
     * inlinePolicies) and managed ones attached by RolePolicyAttachment or managedPolicyArns.
     * A managed policy not declared in the stack (e.g. AWS managed) can't be read: it is listed
     * in `unreadable` and counts for nothing.
     */
    roleIdentityPolicies(role: Pick<DeclaredRole, "name" | "resource">): { sources: DocumentSource[]; unreadable: string[] } {
        const sources: DocumentSource[] = [];
        for (const r of this.ofType(TYPES.rolePolicy).filter(r => r.props.role === role.name)) {
            sources.push({ where: describeResource(r), urn: r.urn, document: r.props.policy });
        }
        for (const [i, inline] of (role.resource.props.inlinePolicies ?? []).entries()) {
            sources.push({
                where: describeResource(role.resource, `inlinePolicies[${i}]`),
                urn: role.resource.urn,
                document: inline.policy,
            });
        }
        const attached: string[] = [
            ...this.ofType(TYPES.rolePolicyAttachment)
                .filter(r => r.props.role === role.name)
                .map(r => r.props.policyArn),
            ...(role.resource.props.managedPolicyArns ?? []),
        ];
        const unreadable: string[] = [];
        for (const arn of attached) {
            const policy = this.ofType(TYPES.policy).find(p => managedPolicyArnMatches(arn, p));
            if (policy) sources.push({ where: describeResource(policy), urn: policy.urn, document: policy.props.policy });
            else unreadable.push(arn);
        }
        return { sources, unreadable };
    }
}

/** The parts of a role's ARN, `arn:<partition>:iam::<account>:role<path><name>`; undefined for anything else. */
export function roleArnParts(roleArn: unknown): { partition: string; account: string; path: string; name: string } | undefined {
    const match = typeof roleArn === "string" ? /^arn:([^:]+):iam::(\d{12}):role(\/(?:.*\/)?)([^/]+)$/.exec(roleArn) : null;
    return match ? { partition: match[1], account: match[2], path: match[3], name: match[4] } : undefined;
}

/** A role's path: `/` unless it sets another. */
export function rolePath(role: PolicyResource): string {
    return typeof role.props.path === "string" ? role.props.path : "/";
}

/** The tag's prefix as a folder ending in "/"; absent or empty means the whole bucket. */
function folderPrefix(tag: unknown): string {
    if (typeof tag !== "string" || tag.replace(/^\/+|\/+$/g, "") === "") return "";
    return `${tag.replace(/^\/+|\/+$/g, "")}/`;
}

/**
 * A managed policy's ARN is computed, so it is matched by what is known of it in preview: its
 * path and name (`arn:<partition>:iam::<account>:policy<path><name>`).
 */
function managedPolicyArnMatches(arn: unknown, policy: PolicyResource): boolean {
    if (typeof arn !== "string" || typeof policy.props.name !== "string") return false;
    const path = typeof policy.props.path === "string" ? policy.props.path : "/";
    return /^arn:[^:]+:iam::\d{12}:policy\//.test(arn) && arn.endsWith(`:policy${path}${policy.props.name}`);
}
