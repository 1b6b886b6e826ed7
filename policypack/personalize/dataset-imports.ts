import type { PolicyResource } from "@pulumi/policy";
import { bucketPolicyFailures, roleAccess, roleTrustProblems, type AccessScope } from "./proofs";
import { readStatements } from "../stack/read-document";
import { describeResource, type PersonalizeRole, type StackView } from "../stack/view";

/**
 * The verdict on each Personalize dataset import job of the stack (an `aws-native:personalize:Dataset`
 * with a `datasetImportJob`): Personalize reads its data location with its role, so the location
 * must be in a Personalize bucket whose policy lets Personalize read every key under it, and the
 * role must trust Personalize and be allowed the same reads (the proofs of proofs.ts,
 * for that folder and that role). Where the bucket or the role is not in the stack, the pack can't
 * tell. Reading a value unknown in preview throws, as everywhere in the pack ("can't run during
 * preview").
 */

export const DATASET_TYPE = "aws-native:personalize:Dataset";

export interface ImportVerdict {
    urn: string;
    /** "fails": proven not to work; "unverifiable": the bucket or role is not in the stack. */
    kind: "fails" | "unverifiable";
    message: string;
}

export function judgeDatasetImports(view: StackView): ImportVerdict[] {
    const verdicts: ImportVerdict[] = [];
    for (const dataset of view.resources.filter(r => r.type === DATASET_TYPE)) {
        const job = dataset.props.datasetImportJob;
        if (job === undefined || job === null) continue;
        const verdict = judgeImport(view, dataset, job.dataSource?.dataLocation, job.roleArn);
        if (verdict) verdicts.push({ urn: dataset.urn, ...verdict });
    }
    return verdicts;
}

function judgeImport(
    view: StackView,
    dataset: PolicyResource,
    location: unknown,
    roleArn: unknown,
): Omit<ImportVerdict, "urn"> | undefined {
    const subject = `${describeResource(dataset)} imports ${JSON.stringify(location)} with role ${JSON.stringify(roleArn)}`;
    const unverifiable = (why: string) => ({ kind: "unverifiable" as const, message: `can't verify that ${subject}: ${why}.` });
    const parsed = typeof location === "string" ? /^s3:\/\/([^/]+)(?:\/(.*))?$/.exec(location) : null;
    if (!parsed) return unverifiable("its data location is not an s3:// location, so it can't be tied to a bucket");
    const [, bucketName, prefix = ""] = parsed;
    const bucket = view.bucketNamed(bucketName);
    if (!bucket) {
        return unverifiable(
            `bucket "${bucketName}" is not a Personalize bucket of this stack (tagged personalize-workflow) nor in the pack's buckets config, ` +
                "so its policy can't be read; import from the stack's Personalize bucket",
        );
    }
    const role = stackRole(view, roleArn, bucketName);
    if (!role)
        return unverifiable(
            "the role is not declared in this stack, so its trust and permissions can't be read; use the stack's service role",
        );

    // The folder the job reads, as the bucket's data prefix; a location that names a key (no
    // trailing "/") reads that key and every key it begins (Personalize takes it as a key prefix).
    const objectKeys = view.objectKeys(bucket).filter(key => key.startsWith(prefix));
    if (prefix !== "" && !prefix.endsWith("/") && !objectKeys.includes(prefix)) objectKeys.push(prefix);
    const scope: AccessScope = { bucket: { ...bucket, workflow: "import", dataPrefix: prefix }, objectKeys };

    const problems: string[] = [];
    const sources = view.bucketPolicies(bucket);
    if (sources.length !== 1) {
        problems.push(`bucket "${bucket.name}" has ${sources.length} bucket policies, not one (see personalize-bucket-access)`);
    } else {
        const statements = readStatements(sources[0], "resource");
        // An unreadable document is reported by policy-document-validity.
        if (!statements) return undefined;
        problems.push(...bucketPolicyFailures(view, scope, statements, [role]).map(why => `${sources[0].where}: ${why}`));
    }
    const trust = roleTrustProblems(view, role);
    const access = roleAccess(view, role, scope);
    if (!trust || !access) return undefined;
    problems.push(...trust.map(why => `its trust policy: ${why}`));
    problems.push(...access.failures.map(why => `its permissions (${access.notes.join("; ")}): ${why}`));
    if (problems.length === 0) return undefined;
    return { kind: "fails", message: `${subject}, which Amazon Personalize can't do: ${problems.join("; ")}.` };
}

/**
 * The stack's role that an ARN names (by path and name, in the stack's account when known), as a
 * service role of the location's bucket; undefined for a role the stack doesn't declare.
 */
function stackRole(view: StackView, roleArn: unknown, bucketName: string): PersonalizeRole | undefined {
    const role = view.declaredRole(roleArn);
    return role && { ...role, bucketName };
}
