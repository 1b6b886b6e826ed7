import type { Statement } from "../iam";
import { KEY_POLICY_ACTIONS } from "./kms";
import { keyAccess, type KeyUse, type KeyUser } from "./kms-key-uses";
import { PERSONALIZE_PRINCIPAL, requestFailures, roleSessionPrincipal, whyNotAllowed, type Judgement } from "./requests";
import type { StackIdentity } from "../stack/identity";

/**
 * A key policy judged as KMS judges it, for personalize.amazonaws.com and each role that uses the
 * key: the guide's five actions on the key, in every request context Personalize may send
 * (Personalize Developer Guide, "Giving Amazon Personalize permission to use your AWS KMS key",
 * https://docs.aws.amazon.com/personalize/latest/dg/granting-personalize-key-access.html).
 *
 * The role may use the key when the key policy allows the role's session: a statement naming the
 * role's ARN, or "*" under conditions its requests meet (`kms:CallerAccount` = the stack's
 * account; AWS KMS Developer Guide, "AWS KMS condition keys",
 * https://docs.aws.amazon.com/kms/latest/developerguide/conditions-kms.html#conditions-kms-caller-account),
 * or the account (`arn:<partition>:iam::<account>:root` or the account ID), which leaves the grant
 * to the account's IAM policies (KMS Developer Guide, "Default key policy",
 * https://docs.aws.amazon.com/kms/latest/developerguide/key-policy-default.html#key-policy-default-allow-root-enable-iam):
 * an action the key policy grants the role only that way must then be allowed by the role's own
 * policies, kms:CreateGrant included. A Deny naming the role, the account or "*" hits the role.
 */
export interface KeyPolicyVerdict {
    failures: string[];
    /** Per role, the actions the key policy grants it only through the account: its own policies must allow them. */
    throughAccount: Map<KeyUser, string[]>;
}

export function judgeKeyPolicy(
    statements: Statement[],
    keyArn: string,
    use: Pick<KeyUse, "jobs" | "users">,
    identity: StackIdentity,
    now: Date,
): KeyPolicyVerdict {
    const accesses = keyAccess(KEY_POLICY_ACTIONS, keyArn, use.jobs);
    const judgement = { statements, kind: "resource" as const, identity, now };
    const failures = requestFailures(accesses, { ...judgement, caller: "service" }, { type: "Service", id: PERSONALIZE_PRINCIPAL }).map(
        why => `the key policy for ${PERSONALIZE_PRINCIPAL}: ${why}`,
    );
    const throughAccount = new Map<KeyUser, string[]>();
    for (const user of use.users) {
        const asRole: Judgement = { ...judgement, caller: "role", roleArn: user.arn };
        const session = roleSessionPrincipal(user.arn, user.role ?? roleNamedBy(user.arn), identity);
        const indirect: string[] = [];
        for (const access of accesses) {
            const why = whyNotAllowed(access, asRole, session);
            if (why !== undefined) failures.push(`the key policy for ${user.label}: ${why}`);
            else if (whyNotAllowed(access, asRole, { type: "AWS", id: user.arn ?? "" }) !== undefined) indirect.push(access.action);
        }
        throughAccount.set(user, indirect);
    }
    return { failures, throughAccount };
}

/** The name and path of the role an ARN names (for a role the stack doesn't declare). */
function roleNamedBy(arn: string | undefined): { name: string; path: string } {
    const match = /:role(\/(?:.*\/)?)([^/]+)$/.exec(arn ?? "");
    return match ? { name: match[2], path: match[1] } : { name: "", path: "/" };
}
