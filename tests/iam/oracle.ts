/**
 * Test-only adapter: asks @cloud-copilot/iam-simulate (AGPL-3.0, a devDependency that is never
 * shipped) for its decision on one policy document and one request.
 *
 * The oracle has no notion of an unknown key: keys outside `context` are simply absent to it.
 * Resource policies are simulated for the request's principal with no identity policies; identity
 * policies for a role in the bucket's account with no bucket policy, so in both cases the one
 * document alone decides.
 */
import { runSimulation } from "@cloud-copilot/iam-simulate";
import type { Decision, EvaluationKind, RequestEnvelope } from "../../policypack/iam";

export const BUCKET_ACCOUNT = "111122223333";
export const ROLE_ARN = `arn:aws:iam::${BUCKET_ACCOUNT}:role/PersonalizeRole`;

export type OracleAnswer = { decision: Decision } | { error: string };

const DECISIONS: Record<string, Decision> = {
    Allowed: "Allowed",
    ExplicitlyDenied: "ExplicitDeny",
    ImplicitlyDenied: "ImplicitDeny",
};

export async function oracleDecision(policy: object, request: RequestEnvelope, kind: EvaluationKind): Promise<OracleAnswer> {
    const principal = kind === "identity" ? ROLE_ARN : request.principal?.id;
    if (!principal) return { error: "a resource policy needs a request principal" };
    const result = await runSimulation(
        {
            request: {
                principal,
                action: request.action,
                resource: { resource: request.resource, accountId: BUCKET_ACCOUNT },
                contextVariables: request.context,
            },
            identityPolicies: kind === "identity" ? [{ name: "identity", policy }] : [],
            serviceControlPolicies: [],
            resourceControlPolicies: [],
            ...(kind === "resource" && { resourcePolicy: policy }),
        },
        {},
    );
    if (result.resultType === "error") return { error: JSON.stringify(result.errors) };
    const ignored = result.resultType === "single" ? (result.result.ignoredContextKeys ?? []) : [];
    if (ignored.length > 0) return { error: `oracle ignored context keys ${ignored.join(", ")}` };
    const decision = DECISIONS[result.overallResult];
    return decision ? { decision } : { error: `unexpected oracle result ${result.overallResult}` };
}
