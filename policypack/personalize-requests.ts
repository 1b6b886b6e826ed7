import { evaluate, type ConditionClause, type RequestEnvelope, type Statement, type Verdict } from "./iam";
import type { PersonalizeBucket } from "./stack-view";

/**
 * The requests Amazon Personalize makes to its bucket, and the request context it makes them in.
 *
 * The context is what AWS documents for a service acting with its service principal (REFERENCE:
 * IAM evaluation rules): `aws:PrincipalIsAWSService` true, `aws:SecureTransport` true (services
 * call S3 over TLS), `aws:ViaAWSService` false; the VPC keys are absent because Personalize does
 * not communicate with VPCs, and `aws:PrincipalOrgID` is absent for service principals. Any other
 * key (aws:SourceIp, aws:SourceAccount, s3:prefix, ...) is unknown, and the evaluator fails safe on
 * it: an Allow that needs it doesn't count, a Deny that tests it applies.
 */

export const PERSONALIZE_PRINCIPAL = "personalize.amazonaws.com";

/** Keys present only for requests through a VPC endpoint. */
export const VPC_KEYS = [
    "aws:SourceVpc",
    "aws:SourceVpce",
    "aws:SourceVpcArn",
    "aws:VpcSourceIp",
    "aws:VpceAccount",
    "aws:VpceOrgID",
    "aws:VpceOrgPaths",
];

const VPC_KEYS_LOWER = new Set(VPC_KEYS.map(k => k.toLowerCase()));

/** The clauses of a statement that test a VPC key, in any letter case and with any operator. */
export function vpcConditions(statement: Statement): ConditionClause[] {
    return statement.conditions.filter(c => VPC_KEYS_LOWER.has(c.key.toLowerCase()));
}

export interface RequiredAccess {
    action: string;
    resource: string;
}

/** A file name batch jobs write (`<input file>.out`), to probe the output folder with. */
const BATCH_OUTPUT_PROBE = "personalize-batch-input.json.out";
/** An object to probe with when the stack uploads none to the bucket. */
const OBJECT_PROBE = "personalize-data.csv";

/**
 * What Personalize must be allowed on the bucket: ListBucket on it, GetObject on every object the
 * stack uploads to it (or any object), and for batch, PutObject in the batch output folder.
 */
export function requiredAccess(bucket: PersonalizeBucket, objectKeys: string[], partition: string): RequiredAccess[] {
    const arn = `arn:${partition}:s3:::${bucket.name}`;
    const keys = objectKeys.length > 0 ? objectKeys : [OBJECT_PROBE];
    return [
        { action: "s3:ListBucket", resource: arn },
        ...keys.map(key => ({ action: "s3:GetObject", resource: `${arn}/${key}` })),
        ...(bucket.workflow === "batch"
            ? [{ action: "s3:PutObject", resource: `${arn}/${bucket.batchOutputPrefix}${BATCH_OUTPUT_PROBE}` }]
            : []),
    ];
}

const SECURE_TRANSPORT = { "aws:SecureTransport": "true", "aws:ViaAWSService": "false" };

/** Personalize acting with its service principal: how it reaches the bucket through the bucket policy. */
export function servicePrincipalRequest(access: RequiredAccess): RequestEnvelope {
    return {
        ...access,
        principal: { type: "Service", id: PERSONALIZE_PRINCIPAL },
        context: { ...SECURE_TRANSPORT, "aws:PrincipalIsAWSService": "true", "aws:PrincipalServiceName": PERSONALIZE_PRINCIPAL },
        absentKeys: [...VPC_KEYS, "aws:PrincipalOrgID", "aws:PrincipalOrgPaths"],
    };
}

/** Personalize acting through the service role it assumed: what the role's identity policies must allow. */
export function serviceRoleRequest(access: RequiredAccess): RequestEnvelope {
    return {
        ...access,
        context: { ...SECURE_TRANSPORT, "aws:PrincipalIsAWSService": "false" },
        absentKeys: [...VPC_KEYS],
    };
}

function quote(statements: Statement[]): string {
    return statements.map(s => `"${s.label}"`).join(", ");
}

/**
 * Why a required request is not allowed, or undefined if it is. Names the statements that deny it
 * or that could not be shown to allow it, so the user knows which one to fix.
 */
export function whyNotAllowed(statements: Statement[], request: RequestEnvelope, kind: "resource" | "identity"): string | undefined {
    const verdict: Verdict = evaluate(statements, request, kind);
    if (verdict.decision === "Allowed") return undefined;
    const what = `${request.action} on ${request.resource}`;
    if (verdict.decision === "ExplicitDeny") {
        const certain = verdict.deniedBy.filter(s => !verdict.undetermined.includes(s));
        return certain.length > 0
            ? `${what} is denied by statement ${quote(certain)}`
            : `${what} may be denied by statement ${quote(verdict.deniedBy)}: its condition tests a key Personalize's requests can't be shown to pass`;
    }
    const unsure = verdict.undetermined.filter(s => s.effect === "Allow");
    return unsure.length > 0
        ? `${what} is allowed only under a condition Personalize's requests can't be shown to meet (statement ${quote(unsure)})`
        : `${what} is not allowed by any statement`;
}
