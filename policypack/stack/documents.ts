import type { PolicyKind, Statement } from "../iam";
import { readOrUndefined } from "./identity";
import { StackView, TYPES, describeResource, type DeclaredRole, type DocumentSource } from "./view";

/** Which limits and rules apply to a document: what AWS puts it with. */
export type DocumentUse = "bucket policy" | "trust policy" | "inline role policy" | "managed policy";

export interface PackDocument {
    source: DocumentSource;
    use: DocumentUse;
    kind: PolicyKind;
    /** For bucket policies: the bucket's name. */
    bucketName?: string;
    /** For role documents: the role's name. */
    roleName?: string;
}

/** Where a statement is, like a file position: `Statement[2] "AllowList"`, or `Statement[2]` without a Sid. */
export function statementLocation(statement: Statement, index: number): string {
    return `Statement[${index}]${statement.sid !== undefined ? ` ${JSON.stringify(statement.sid)}` : ""}`;
}

/** The Personalize resources (aws-native) that name a role Personalize assumes for them, and where. */
const ROLE_USERS: Array<{ type: string; roleArn: (props: Record<string, any>) => unknown }> = [
    { type: "aws-native:personalize:Dataset", roleArn: props => props.datasetImportJob?.roleArn },
    { type: "aws-native:personalize:DatasetGroup", roleArn: props => props.roleArn },
];

/**
 * The roles the pack reads: the service roles (tagged personalize-bucket) and the roles of the
 * stack that a dataset import job or a dataset group names. A role ARN unknown during preview names
 * none here; the policy that judges its job says it can't run during preview.
 */
function readRoles(view: StackView): DeclaredRole[] {
    const roles = new Map<string, DeclaredRole>(view.personalizeRoles().map(role => [role.resource.urn, role]));
    for (const { type, roleArn } of ROLE_USERS) {
        for (const user of view.resources.filter(r => r.type === type)) {
            const role = readOrUndefined(() => view.declaredRole(roleArn(user.props)));
            if (role && !roles.has(role.resource.urn)) roles.set(role.resource.urn, role);
        }
    }
    return [...roles.values()];
}

/**
 * Every policy document the pack's other policies read on Personalize buckets and roles, each
 * once (a managed policy attached to two roles is one document): the bucket policies (BucketPolicy
 * resources and the bucket's own `policy`), and for each role the pack reads (readRoles) its trust
 * policy, its inline policies (RolePolicy resources and `inlinePolicies`) and the managed policies
 * attached to it or set as its permissions boundary that the stack declares.
 */
export function personalizeDocuments(view: StackView): PackDocument[] {
    const documents = new Map<string, PackDocument>();
    const add = (document: PackDocument) => {
        const id = `${document.source.urn}\n${document.source.where}`;
        if (!documents.has(id)) documents.set(id, document);
    };
    for (const bucket of view.buckets) {
        for (const source of view.bucketPolicies(bucket)) add({ source, use: "bucket policy", kind: "resource", bucketName: bucket.name });
    }
    const managed = new Set(view.resources.filter(r => r.type === TYPES.policy).map(r => r.urn));
    for (const role of readRoles(view)) {
        add({
            source: {
                where: describeResource(role.resource, "assumeRolePolicy"),
                urn: role.resource.urn,
                document: role.resource.props.assumeRolePolicy,
            },
            use: "trust policy",
            kind: "trust",
            roleName: role.name,
        });
        for (const source of view.roleIdentityPolicies(role).sources) {
            add({ source, use: managed.has(source.urn) ? "managed policy" : "inline role policy", kind: "identity", roleName: role.name });
        }
        const boundary = view.permissionsBoundary(role).source;
        if (boundary) add({ source: boundary, use: "managed policy", kind: "identity", roleName: role.name });
    }
    return [...documents.values()];
}
