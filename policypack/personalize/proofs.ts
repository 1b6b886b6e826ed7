import type { PrincipalSpec, Statement } from "../iam";
import { clock } from "../stack/clock";
import {
    PERSONALIZE_PRINCIPAL,
    failureText,
    requestFailureParts,
    requestFailures,
    requiredAccess,
    roleSessionPrincipal,
    vpcKeyUses,
    type Judgement,
    type RequiredAccess,
} from "./requests";
import { readStatements } from "../stack/read-document";
import { describeResource, type Finding, type PersonalizeBucket, type PersonalizeRole, type StackView } from "../stack/view";
import { trustProblems } from "./trust-proof";
import { joinFailures, listed } from "./failure-text";

/**
 * The proofs the Personalize policies make, each for one bucket (or one folder of it) and one role,
 * shared by the policies that judge a bucket or role (personalize-bucket-access,
 * personalize-role-trust, personalize-role-access) and the one that judges a dataset import job
 * (personalize-dataset-import).
 */

/** What Personalize must be allowed: a bucket with the folder it reads, and the objects the stack declares there. */
export interface AccessScope {
    bucket: PersonalizeBucket;
    objectKeys: string[];
}

/** The whole bucket: its data prefix, batch output and every object the stack declares in it. */
export function bucketScope(view: StackView, bucket: PersonalizeBucket): AccessScope {
    return { bucket, objectKeys: view.objectKeys(bucket) };
}

function accesses(view: StackView, scope: AccessScope): RequiredAccess[] {
    return requiredAccess(scope.bucket, scope.objectKeys, view.identity.partition);
}

/**
 * Why the bucket policy's statements don't let Personalize's service principal make the requests,
 * or deny them to a service role's session (whose own policies grant them: personalize-role-access),
 * as clauses that name each reason and each role once. A Deny usually hits the service principal and
 * the role's session alike (a VPC-only statement does): such failures are said once, for both.
 */
export function bucketPolicyFailures(view: StackView, scope: AccessScope, statements: Statement[], roles: PersonalizeRole[]): string[] {
    const now = clock.now();
    // The bucket's policies are what is judged: the account comes from elsewhere.
    const identity = view.identityFor(view.bucketPolicies(scope.bucket).map(s => s.urn));
    const service = requestFailureParts(
        accesses(view, scope),
        { statements, kind: "resource", caller: "service", identity, now },
        { type: "Service", id: PERSONALIZE_PRINCIPAL },
    );
    const sessions = roles.map(role => {
        const roleArn = view.roleArn(role, identity);
        const judgement: Judgement = {
            statements,
            kind: "resource",
            caller: "role",
            identity,
            now,
            roleArn,
            onlyDenies: true,
        };
        return {
            role,
            failures: requestFailureParts(accesses(view, scope), judgement, roleSessionPrincipal(roleArn, role, identity)),
        };
    });
    const text = (failures: typeof service) => failures.map(failureText).join("\n");
    const alike = service.length > 0 ? sessions.filter(s => text(s.failures) === text(service)) : [];
    const roleNames = (of: typeof sessions) =>
        `${of.length > 1 ? "service roles" : "service role"} ${listed(of.map(s => `"${s.role.name}"`))}`;
    const clauses: string[] = [];
    if (service.length > 0)
        clauses.push(
            `${alike.length > 0 ? `for the service principal and through ${roleNames(alike)} alike: ` : ""}${joinFailures(service)}`,
        );
    for (const session of sessions.filter(s => s.failures.length > 0 && !alike.includes(s)))
        clauses.push(`through ${roleNames([session])}: ${joinFailures(session.failures)}`);
    return clauses;
}

function onlyPersonalize(principal: PrincipalSpec | undefined): boolean {
    if (principal === undefined || principal === "*") return false;
    const entries = Object.entries(principal);
    return entries.length === 1 && entries[0][0] === "Service" && entries[0][1]!.every(id => id === PERSONALIZE_PRINCIPAL);
}

/** The Personalize jobs that use a role of each workflow, as the resource part of their source ARNs. */
const SOURCE_RESOURCES = {
    import: ["dataset-import-job/personalize-import"],
    batch: ["dataset-import-job/personalize-import", "batch-inference-job/personalize-batch", "batch-segment-job/personalize-batch"],
};

/**
 * Why the role's trust policy doesn't trust Personalize alone, for this stack's account only (the
 * confused-deputy conditions, shown over every account and region by trust-proof.ts); undefined
 * when the document can't be read (policy-document-validity reports it).
 */
export function roleTrustProblems(view: StackView, role: PersonalizeRole): string[] | undefined {
    // The role's trust is what is judged: the account comes from elsewhere.
    const identity = view.identityFor([role.resource.urn]);
    const where = describeResource(role.resource, "assumeRolePolicy");
    const statements = readStatements({ where, urn: role.resource.urn, document: role.resource.props.assumeRolePolicy }, "trust");
    if (!statements) return undefined;
    const problems: string[] = [];
    for (const s of statements.filter(s => s.effect === "Allow")) {
        // NotPrincipal makes the document unreadable: IAM refuses it in a trust policy.
        if (!onlyPersonalize(s.principal))
            problems.push(`statement "${s.label}" trusts ${JSON.stringify(s.principal)}, not ${PERSONALIZE_PRINCIPAL} alone`);
    }
    const workflow = view.bucketNamed(role.bucketName)?.workflow ?? "import";
    problems.push(
        ...trustProblems(statements, {
            ...identity,
            roleArn: `arn:${identity.partition}:iam::${identity.account ?? "000000000000"}:role/${role.name}`,
            resources: SOURCE_RESOURCES[workflow],
        }),
    );
    return problems;
}

export interface RoleAccess {
    /** Failed requests: the role's identity policies, within its permissions boundary, don't allow them. */
    failures: string[];
    /** What the verdict assumes (policies and boundaries the stack doesn't declare). */
    notes: string[];
    /** Statements of the role's policies that use a VPC key. */
    vpcUses: Finding[];
}

/**
 * Whether the role's identity policies (inline and attached, all together as IAM combines them),
 * capped by its permissions boundary, allow Personalize's requests in the scope (IAM User Guide,
 * policy evaluation logic); undefined when one of its documents can't be read.
 */
export function roleAccess(view: StackView, role: PersonalizeRole, scope: AccessScope): RoleAccess | undefined {
    const { sources, unreadable } = view.roleIdentityPolicies(role);
    const statements: Statement[] = [];
    const vpcUses: Finding[] = [];
    // Without one of its policies the role's access can't be judged; policy-document-validity reports that policy.
    let readable = true;
    for (const source of sources) {
        const read = readStatements(source, "identity");
        if (!read) {
            readable = false;
            continue;
        }
        statements.push(...read);
        for (const s of read) {
            const uses = vpcKeyUses(s);
            if (uses.length > 0) {
                vpcUses.push({
                    message: `${source.where}, statement "${s.label}": ${uses.map(u => u.text).join(", ")}; Amazon Personalize doesn't communicate with AWS VPCs, so remove it.`,
                    urn: source.urn,
                });
            }
        }
    }
    if (!readable) return undefined;
    const boundary = readBoundary(view, role);
    if (boundary === "unreadable") return undefined;
    // The role's policies and boundary are what is judged: the account comes from elsewhere.
    const identity = view.identityFor([...sources.map(s => s.urn), ...(boundary.urn ? [boundary.urn] : [])]);
    const judge = (judged: Statement[]): Judgement => ({
        statements: judged,
        kind: "identity",
        caller: "role",
        identity,
        now: clock.now(),
        roleArn: view.roleArn(role, identity),
    });
    const required = accesses(view, scope);
    const failures = [
        ...requestFailures(required, judge(statements)),
        ...(boundary.statements
            ? requestFailures(required, judge(boundary.statements)).map(why => `its permissions boundary ${boundary.where}: ${why}`)
            : []),
    ];
    const notes = [
        unreadable.length > 0 ? `not declared in this stack, so not read: ${unreadable.join(", ")}` : "",
        boundary.assumption,
    ].filter(Boolean);
    return { failures, notes, vpcUses };
}

type Boundary = { statements?: Statement[]; where?: string; urn?: string; assumption: string };

function readBoundary(view: StackView, role: PersonalizeRole): Boundary | "unreadable" {
    const { arn, source } = view.permissionsBoundary(role);
    if (arn === undefined) return { assumption: "assuming the role has no permissions boundary, as the stack sets none" };
    if (!source) return { assumption: `assuming its permissions boundary ${arn}, not declared in this stack, allows these requests` };
    const statements = readStatements(source, "identity");
    return statements
        ? { statements, where: source.where, urn: source.urn, assumption: `within its permissions boundary ${source.where}` }
        : "unreadable";
}
