/**
 * Rules IAM applies to the policies it stores (role trust policies, inline and managed policies,
 * permissions boundaries) beyond the policy grammar: IAM rejects a document that breaks one at
 * CreateRole, UpdateAssumeRolePolicy, PutRolePolicy or CreatePolicy. S3 bucket policies follow S3's
 * own, more lenient parser, and KMS key policies KMS's, so parsePolicy applies these only to the
 * identity and trust kinds.
 */

/**
 * IAM User Guide, "IAM JSON policy elements: Sid"
 * (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_sid.html): "The Sid
 * element supports ASCII uppercase letters (A-Z), lowercase letters (a-z), and numbers (0-9)", and
 * "In IAM, the Sid value must be unique within a JSON policy". An empty Sid is taken as none, as
 * parsePolicy does: IAM accepts `"Sid": ""`, which many published trust policies carry.
 */
const SID = /^[A-Za-z0-9]*$/;

/**
 * IAM User Guide, "IAM and AWS STS quotas" (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html):
 * "Policy documents can contain only the following Unicode characters: horizontal tab (U+0009),
 * linefeed (U+000A), carriage return (U+000D), and characters in the range U+0020 to U+00FF"; the
 * IAM API checks its policy parameters against `[\u0009\u000A\u000D\u0020-\u00FF]+` (CreateRole
 * AssumeRolePolicyDocument, PutRolePolicy and CreatePolicy PolicyDocument).
 *
 * That pattern applies to the text IAM receives, and the AWS provider re-encodes every policy
 * before sending it (terraform-provider-aws: structure.NormalizeJsonString before CreateRole and
 * CreatePolicy, verify.LegacyPolicyNormalize before PutRolePolicy, both Go's encoding/json): an
 * escape such as `\u4e2d` reaches IAM as the character itself, while control characters, U+2028
 * and U+2029 reach it escaped, in ASCII. So the characters checked are those of the decoded
 * strings, and these three groups pass.
 */
const UNACCEPTED = /[^\u0000-\u00ff\u2028\u2029]/gu;

/** Problems with a statement's Sid, as IAM checks it. */
export function sidProblems(sid: unknown): string[] {
    if (typeof sid !== "string" || SID.test(sid)) return [];
    const letters = sid.replace(/[^A-Za-z0-9]/g, "");
    return [
        `Sid ${JSON.stringify(sid)} has characters IAM doesn't accept in a Sid; use ASCII letters and digits only, ` +
            (letters === "" ? "or remove the Sid" : `e.g. ${JSON.stringify(letters)}`),
    ];
}

/**
 * One problem per Sid that two or more statements share, naming them all. @cloud-copilot/iam-policy's
 * lint finds the same statements (tests/iam/iam-document-rules.spec.ts compares the two); it is
 * AGPL-3.0, and the pack carries only its own dependencies, so the few lines are written here.
 */
export function duplicateSidProblems(rawStatements: unknown[]): string[] {
    const bySid = new Map<string, number[]>();
    rawStatements.forEach((raw, index) => {
        const sid = typeof raw === "object" && raw !== null ? (raw as Record<string, unknown>).Sid : undefined;
        if (typeof sid === "string" && sid !== "") bySid.set(sid, [...(bySid.get(sid) ?? []), index]);
    });
    return [...bySid]
        .filter(([, indexes]) => indexes.length > 1)
        .map(
            ([sid, indexes]) =>
                `${indexes.map(i => `Statement[${i}]`).join(", ")} have the same Sid ${JSON.stringify(sid)}; ` +
                "IAM requires each Sid to be unique within a policy: rename or remove all but one",
        );
}

/**
 * One problem per string (property name or value) under `value` that holds characters IAM doesn't
 * accept, naming where it is (`path`, e.g. `Resource[0]`) and each such character once.
 */
export function unacceptedCharacterProblems(value: unknown, path: string): string[] {
    const problems: string[] = [];
    const check = (text: string, where: string) => {
        const found = [...new Set(text.match(UNACCEPTED) ?? [])];
        if (found.length === 0) return;
        const named = found.map(c => `${JSON.stringify(c)} (U+${c.codePointAt(0)!.toString(16).toUpperCase().padStart(4, "0")})`);
        problems.push(
            `${where} has ${named.join(", ")}, outside the characters IAM accepts in a policy ` +
                "(tab, line feed, carriage return and U+0020 to U+00FF); replace or remove them",
        );
    };
    const walk = (node: unknown, at: string) => {
        if (typeof node === "string") check(node, at);
        else if (Array.isArray(node)) node.forEach((item, i) => walk(item, `${at}[${i}]`));
        else if (typeof node === "object" && node !== null) {
            for (const [key, item] of Object.entries(node)) {
                check(key, `the name ${JSON.stringify(key)} in ${at}`);
                walk(item, `${at}.${key}`);
            }
        }
    };
    walk(value, path);
    return problems;
}
