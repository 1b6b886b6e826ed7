/**
 * Benchmark of the policy pack (not a test). Times one bucket-policy document evaluation -- parsing
 * the document (JSON text) and evaluating every request Personalize must be allowed, as
 * personalize-bucket-access does -- for the component's bucket policy, the AWS guide's batch policy
 * and a 50-statement policy; then one full runStackPolicies(policies, ...) over validStack(..., "batch").
 * Goal: at most 1 ms per document.
 *
 *   npx ts-node --transpile-only scripts/bench-policies.ts [--iterations 20000]
 */
import { bucketPolicy } from "../components/policy-documents";
import { runStackPolicies } from "../offline/policy-engine";
import { parsePolicy } from "../policypack/iam";
import { policies } from "../policypack/policies";
import { requiredAccess, servicePrincipalRequest, whyNotAllowed } from "../policypack/personalize-requests";
import type { PersonalizeBucket } from "../policypack/stack-view";
import { guideBucketPolicy, validStack } from "../tests/policypack/stack-builder";

const BUCKET = "data-bucket";
const ARN = `arn:aws:s3:::${BUCKET}`;
const argIndex = process.argv.indexOf("--iterations");
const ITERATIONS = argIndex > 0 ? Number(process.argv[argIndex + 1]) : 20_000;
const WARMUP = Math.max(1_000, Math.floor(ITERATIONS / 10));

const bucket: PersonalizeBucket = { name: BUCKET, workflow: "batch", batchOutputPrefix: "batch/output/" };
const objectKeys = ["import/interactions.csv"];

/** What personalize-bucket-access does with one document: parse it, then judge every required request. */
function evaluateDocument(text: string): number {
    const parsed = parsePolicy(text, "resource");
    if (!parsed.ok) throw new Error(parsed.problems.join("; "));
    const failures = requiredAccess(bucket, objectKeys, "aws")
        .map(access => whyNotAllowed(parsed.statements, servicePrincipalRequest(access), "resource"))
        .filter(why => why !== undefined);
    return failures.length;
}

/** 50 statements of the kinds real bucket policies carry, the Personalize grants among them. */
function largePolicy(): object {
    const statements: object[] = [];
    for (let i = 0; statements.length < 46; i++) {
        const account = String(100000000000 + i);
        switch (i % 5) {
            case 0:
                statements.push({
                    Sid: `Team${i}Read`,
                    Effect: "Allow",
                    Principal: { AWS: `arn:aws:iam::${account}:role/reader-${i}` },
                    Action: ["s3:GetObject", "s3:GetObjectVersion"],
                    Resource: `${ARN}/team-${i}/*`,
                });
                break;
            case 1:
                statements.push({
                    Sid: `Team${i}List`,
                    Effect: "Allow",
                    Principal: { AWS: [`arn:aws:iam::${account}:root`] },
                    Action: "s3:ListBucket",
                    Resource: ARN,
                    Condition: { StringLike: { "s3:prefix": [`team-${i}/*`] } },
                });
                break;
            case 2:
                statements.push({
                    Sid: `DenyDelete${i}`,
                    Effect: "Deny",
                    Principal: "*",
                    Action: ["s3:DeleteObject", "s3:DeleteObjectVersion"],
                    Resource: `${ARN}/archive-${i}/*`,
                });
                break;
            case 3:
                statements.push({
                    Sid: `Service${i}`,
                    Effect: "Allow",
                    Principal: { Service: "logging.s3.amazonaws.com" },
                    Action: "s3:PutObject",
                    Resource: `${ARN}/logs-${i}/*`,
                    Condition: { StringEquals: { "aws:SourceAccount": account }, ArnLike: { "aws:SourceArn": `arn:aws:s3:::source-${i}` } },
                });
                break;
            default:
                statements.push({
                    Sid: `DenyUnencrypted${i}`,
                    Effect: "Deny",
                    Principal: "*",
                    Action: "s3:PutObject",
                    Resource: `${ARN}/secure-${i}/*`,
                    Condition: { StringNotEquals: { "s3:x-amz-server-side-encryption": "aws:kms" } },
                });
        }
    }
    const component = bucketPolicy({ partition: "aws", bucketName: BUCKET, workflow: "batch", batchOutputPrefix: "batch/output" });
    return { Version: "2012-10-17", Statement: [...component.Statement, ...statements] };
}

function percentile(sorted: number[], p: number): number {
    return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

function benchDocument(label: string, document: object): void {
    const text = JSON.stringify(document);
    const failures = evaluateDocument(text);
    if (failures !== 0) throw new Error(`${label}: expected Personalize to be allowed, got ${failures} failure(s)`);
    for (let i = 0; i < WARMUP; i++) evaluateDocument(text);
    const micros = new Float64Array(ITERATIONS);
    for (let i = 0; i < ITERATIONS; i++) {
        const start = process.hrtime.bigint();
        evaluateDocument(text);
        micros[i] = Number(process.hrtime.bigint() - start) / 1000;
    }
    const sorted = Array.from(micros).sort((a, b) => a - b);
    const mean = sorted.reduce((sum, t) => sum + t, 0) / sorted.length;
    const statements = (document as { Statement: unknown[] }).Statement.length;
    console.log(
        `${label.padEnd(34)} ${String(statements).padStart(2)} statements, ${String(text.length).padStart(5)} chars: ` +
            `mean ${mean.toFixed(1).padStart(7)} µs, p50 ${percentile(sorted, 50).toFixed(1).padStart(7)} µs, p99 ${percentile(sorted, 99).toFixed(1).padStart(7)} µs, max ${sorted[sorted.length - 1].toFixed(0).padStart(6)} µs ` +
            `(${ITERATIONS} iterations after ${WARMUP} warm-up)${percentile(sorted, 99) > 1000 ? "  OVER the 1 ms goal" : ""}`,
    );
}

async function benchStack(): Promise<void> {
    const resources = validStack(BUCKET, "batch").resources;
    const run = async () => {
        const start = process.hrtime.bigint();
        const report = await runStackPolicies(policies, resources);
        const ms = Number(process.hrtime.bigint() - start) / 1e6;
        if (report.violations.length > 0) throw new Error(`validStack should pass: ${JSON.stringify(report.violations)}`);
        return ms;
    };
    const first = await run();
    for (let i = 0; i < 200; i++) await run();
    const runs = 2_000;
    const times: number[] = [];
    for (let i = 0; i < runs; i++) times.push(await run());
    times.sort((a, b) => a - b);
    const mean = times.reduce((sum, t) => sum + t, 0) / times.length;
    console.log(
        `runStackPolicies(${policies.length} policies, validStack("${BUCKET}", "batch"): ${resources.length} resources): ` +
            `first (cold) ${first.toFixed(2)} ms; then mean ${(mean * 1000).toFixed(0)} µs, p99 ${(percentile(times, 99) * 1000).toFixed(0)} µs over ${runs} runs`,
    );
}

async function main(): Promise<void> {
    console.log(
        `node ${process.version}; a document evaluation = parsePolicy(JSON text) + ${requiredAccess(bucket, objectKeys, "aws").length} Personalize requests (ListBucket, GetObject, PutObject)`,
    );
    benchDocument(
        "component's bucket policy (batch)",
        bucketPolicy({ partition: "aws", bucketName: BUCKET, workflow: "batch", batchOutputPrefix: "batch/output" }),
    );
    benchDocument("AWS guide's batch bucket policy", guideBucketPolicy(BUCKET, ["s3:GetObject", "s3:ListBucket", "s3:PutObject"]));
    benchDocument("large policy", largePolicy());
    await benchStack();
}

main().catch(error => {
    console.error(error);
    process.exit(1);
});
