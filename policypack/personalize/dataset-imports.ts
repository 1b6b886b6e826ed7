import type { PolicyResource } from "@pulumi/policy";
import { bucketPolicyFailures, roleAccess, roleTrustProblems, type AccessScope } from "./proofs";
import { readStatements } from "../stack/read-document";
import { TYPES, describeResource, roleArnParts, rolePath, type DeclaredRole, type PersonalizeRole, type StackView } from "../stack/view";

/**
 * The verdict on each Personalize dataset import job of the stack (an `aws-native:personalize:Dataset`
 * with a `datasetImportJob`). First what the job names: a data location CreateDatasetImportJob
 * accepts, and a role ARN that can name a role. Then what it reaches: Personalize reads its data
 * location with its role, so the location must be in a Personalize bucket whose policy lets
 * Personalize read every key under it, and the role must trust Personalize and be allowed the same
 * reads (the proofs of proofs.ts, for that folder and that role). Where the bucket or the role is
 * not in the stack, the pack can't tell. Reading a value unknown in preview throws, as everywhere in the pack ("can't run during
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
    const fails = (problems: string[]) => ({
        kind: "fails" as const,
        message: `${subject}, which Amazon Personalize can't do: ${problems.join("; ")}.`,
    });

    // What the job names, before what it reaches: a location CreateDatasetImportJob refuses, or a
    // role ARN that can't name a role, fails whatever the bucket and the role allow.
    const role = lookUpRole(view, roleArn);
    const named = [dataLocationProblem(location), role.kind === "no role" ? role.why : undefined].filter(p => p !== undefined);
    if (named.length > 0) return fails(named);

    const parsed = /^s3:\/\/([^/]+)(?:\/(.*))?$/.exec(location as string);
    if (!parsed) return unverifiable("its data location is not an s3:// location, so it can't be tied to a bucket");
    const [, bucketName, prefix = ""] = parsed;
    const bucket = view.bucketNamed(bucketName);
    if (!bucket) {
        return unverifiable(
            `bucket "${bucketName}" is not a Personalize bucket of this stack (tagged personalize-workflow) nor in the pack's buckets config, ` +
                "so its policy can't be read; import from the stack's Personalize bucket",
        );
    }
    if (role.kind !== "declared") return unverifiable(role.why);
    const serviceRole: PersonalizeRole = { resource: role.resource, name: role.name, bucketName, path: role.path };

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
        problems.push(...bucketPolicyFailures(view, scope, statements, [serviceRole]).map(why => `${sources[0].where}: ${why}`));
    }
    const trust = roleTrustProblems(view, serviceRole);
    const access = roleAccess(view, serviceRole, scope);
    if (!trust || !access) return undefined;
    problems.push(...trust.map(why => `its trust policy: ${why}`));
    problems.push(...access.failures.map(why => `its permissions (${access.notes.join("; ")}): ${why}`));
    return problems.length === 0 ? undefined : fails(problems);
}

/**
 * Personalize API reference, DataSource (https://docs.aws.amazon.com/personalize/latest/dg/API_DataSource.html):
 * `dataLocation` has the pattern `(s3|http|https)://.+` (matched against the whole value) and a
 * maximum length of 256; CreateDatasetImportJob refuses any other value.
 */
const DATA_LOCATION_PATTERN = /^(s3|http|https):\/\/.+$/;
const DATA_LOCATION_MAX_CHARACTERS = 256;

/** Why CreateDatasetImportJob refuses the location, or undefined when it accepts it. */
function dataLocationProblem(location: unknown): string | undefined {
    const api = "CreateDatasetImportJob accepts (DataSource.dataLocation)";
    if (typeof location !== "string")
        return `it has no data location: dataSource.dataLocation must be a location ${api}, e.g. s3://<bucket>/<folder>/`;
    if (!DATA_LOCATION_PATTERN.test(location))
        return `its data location doesn't match (s3|http|https)://.+, the pattern ${api}; write it as s3://<bucket>/<folder>/`;
    // Characters, not UTF-16 code units: a character outside the Basic Multilingual Plane is one.
    const characters = [...location].length;
    if (characters > DATA_LOCATION_MAX_CHARACTERS)
        return `its data location is ${characters} characters, over the ${DATA_LOCATION_MAX_CHARACTERS} ${api}; import from a shorter folder path`;
    return undefined;
}

/**
 * What a job's role ARN names: a role the stack declares (by path and name), no role at all (the
 * stack declares a role of that name at another path in the same account: IAM role names are
 * unique in an account, and a role's ARN holds its path, so no role has that ARN), or a role the
 * pack can't read (another account, or a name the stack doesn't declare). IAM User Guide, "IAM
 * identifiers" (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_identifiers.html: a
 * role's ARN is `arn:<partition>:iam::<account>:role<path><name>`) and "IAM and AWS STS quotas"
 * (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html: role names are unique
 * within the account).
 */
type RoleLookup = ({ kind: "declared" } & DeclaredRole) | { kind: "no role"; why: string } | { kind: "outside"; why: string };

function lookUpRole(view: StackView, roleArn: unknown): RoleLookup {
    const declared = view.declaredRole(roleArn);
    if (declared) return { kind: "declared", ...declared };
    const notDeclared: RoleLookup = {
        kind: "outside",
        why: "the role is not declared in this stack, so its trust and permissions can't be read; use the stack's service role",
    };
    const arn = roleArnParts(roleArn);
    const { identity } = view;
    if (!arn || arn.partition !== identity.partition) return notDeclared;
    if (identity.account !== undefined && arn.account !== identity.account) {
        return {
            kind: "outside",
            why:
                `the role is in account ${arn.account}, not this stack's account ${identity.account} (from ${identity.accountSource}), ` +
                "so its trust and permissions can't be read; use the stack's service role",
        };
    }
    // Not declared at this path: a role of the same name at another path is the account's only one.
    const sameName = view.resources.find(r => r.type === TYPES.role && r.props.name === arn.name);
    if (!sameName) return notDeclared;
    const declaredPath = rolePath(sameName);
    if (identity.account === undefined) {
        return {
            kind: "outside",
            why:
                `the stack declares role "${arn.name}" at path ${declaredPath}, not ${arn.path}, so in the stack's own account the ARN names no role, ` +
                `but the stack's account is ${identity.accountSource}`,
        };
    }
    return {
        kind: "no role",
        why:
            `its role ARN names path ${arn.path}, but the stack declares role "${arn.name}" at path ${declaredPath}; ` +
            `role names are unique in an account, so no role has this ARN: use arn:${arn.partition}:iam::${arn.account}:role${declaredPath}${arn.name}`,
    };
}
