import type { PackDocument } from "../stack/documents";

/**
 * The size limits AWS applies when a policy is put.
 *
 * - S3 User Guide, bucket policies: "Bucket policies are limited to 20 KB in size." Counted here
 *   as the UTF-8 bytes of the document as sent, whitespace included.
 * - IAM User Guide, "IAM and AWS STS quotas" (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html),
 *   character limits: the total of all inline policies of a role ("the sum size of all inline
 *   policies") can't exceed 10,240 characters, and "IAM does not count white space when
 *   calculating the size of a policy against these limitations".
 * - The same page, adjustable quotas: "Role trust policy length", 2,048 characters by default and
 *   at most 4,096 once raised in Service Quotas; an account's value is the pack config's
 *   `roleTrustPolicyLength`. Counted as IAM counts its policy quotas, without whitespace.
 */
export const BUCKET_POLICY_MAX_BYTES = 20_480;
export const ROLE_INLINE_POLICIES_MAX_CHARACTERS = 10_240;
export const ROLE_TRUST_POLICY_DEFAULT_CHARACTERS = 2_048;
export const ROLE_TRUST_POLICY_MAX_CHARACTERS = 4_096;

/** The text AWS receives: a string as given; an object as the AWS provider serialises it (JSON.stringify). */
export function documentText(document: unknown): string {
    return typeof document === "string" ? document : (JSON.stringify(document) ?? "");
}

/** Characters IAM counts: all but JSON's whitespace (space, tab, line feed, carriage return). */
export function countedCharacters(text: string): number {
    return text.replace(/[ \t\n\r]/g, "").length;
}

export function bucketPolicySizeProblem(document: PackDocument): string | undefined {
    const bytes = Buffer.byteLength(documentText(document.source.document), "utf8");
    if (bytes <= BUCKET_POLICY_MAX_BYTES) return undefined;
    return (
        `the bucket policy is ${bytes.toLocaleString("en-US")} bytes; S3 limits a bucket policy to 20 KB (${BUCKET_POLICY_MAX_BYTES.toLocaleString("en-US")} bytes) ` +
        "and rejects a larger one at PutBucketPolicy. Shorten it: merge statements that differ only in Action or Resource, use wildcards, or grant through access points"
    );
}

/** A trust policy longer than the account's quota `maxCharacters` (pack config roleTrustPolicyLength). */
export function trustPolicySizeProblem(document: PackDocument, maxCharacters: number): string | undefined {
    const characters = countedCharacters(documentText(document.source.document));
    if (characters <= maxCharacters) return undefined;
    const raise =
        maxCharacters < ROLE_TRUST_POLICY_MAX_CHARACTERS
            ? `, or raise the account's IAM quota "Role trust policy length" in Service Quotas (up to ${ROLE_TRUST_POLICY_MAX_CHARACTERS.toLocaleString("en-US")}) and set roleTrustPolicyLength in the pack config to the new value`
            : "";
    return (
        `the trust policy is ${characters.toLocaleString("en-US")} characters without whitespace; the account's IAM quota "Role trust policy length" ` +
        `is ${maxCharacters.toLocaleString("en-US")} (pack config roleTrustPolicyLength), and IAM rejects a longer one at CreateRole / UpdateAssumeRolePolicy. ` +
        `Shorten it: merge statements that differ only in a condition value, or use wildcards${raise}`
    );
}

/** One problem per role whose inline policies together are over IAM's limit, naming each policy's share. */
export function roleInlineSizeProblems(documents: PackDocument[]): Array<{ message: string; urn: string }> {
    const byRole = new Map<string, PackDocument[]>();
    for (const document of documents.filter(d => d.use === "inline role policy")) {
        byRole.set(document.roleName!, [...(byRole.get(document.roleName!) ?? []), document]);
    }
    const problems: Array<{ message: string; urn: string }> = [];
    for (const [role, inline] of byRole) {
        const sizes = inline.map(d => ({ where: d.source.where, characters: countedCharacters(documentText(d.source.document)) }));
        const total = sizes.reduce((sum, s) => sum + s.characters, 0);
        if (total <= ROLE_INLINE_POLICIES_MAX_CHARACTERS) continue;
        problems.push({
            urn: inline[0].source.urn,
            message:
                `Role "${role}": its inline policies total ${total.toLocaleString("en-US")} characters without whitespace ` +
                `(${sizes.map(s => `${s.where} ${s.characters.toLocaleString("en-US")}`).join(", ")}); IAM limits the inline policies of a role ` +
                `to ${ROLE_INLINE_POLICIES_MAX_CHARACTERS.toLocaleString("en-US")} together and rejects the PutRolePolicy that goes over. ` +
                "Move statements into a managed policy attached to the role, or merge statements that differ only in Action or Resource",
        });
    }
    return problems;
}
