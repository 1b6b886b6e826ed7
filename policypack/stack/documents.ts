import type { PolicyKind, Statement } from "../iam";
import { StackView, TYPES, describeResource, type DocumentSource } from "./view";

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

/**
 * Every policy document the pack's other policies read on Personalize buckets and service roles,
 * each once (a managed policy attached to two roles is one document): the bucket policies
 * (BucketPolicy resources and the bucket's own `policy`), each role's trust policy, its inline
 * policies (RolePolicy resources and `inlinePolicies`) and the managed policies attached to it or
 * set as its permissions boundary that the stack declares.
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
    for (const role of view.personalizeRoles()) {
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
