import * as assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as path from "node:path";
import { failed, format, gate, packConfigFor, type GateRun } from "../../offline/gate";
import { runStackPolicies } from "../../offline/policy-engine";
import { PROJECT_DIR, committedStacks, runProgram } from "../../offline/program";
import { policies } from "../../policypack/policies";

const PROD_BUCKET = "arn:aws:s3:::personalize-data-prod-123456789012-eu-west-1";
const VPC_ONLY = {
    Sid: "VpcOnly",
    Effect: "Deny",
    Principal: "*",
    Action: "s3:*",
    Resource: [PROD_BUCKET, `${PROD_BUCKET}/*`],
    Condition: { StringNotEquals: { "aws:SourceVpce": "vpce-1a2b3c4d" } },
};

describe("the offline policy gate (npm run gate)", () => {
    let runs: GateRun[];
    before(async () => {
        runs = await gate(committedStacks());
    });

    it("passes every committed stack in preview and update mode, with every policy judged", () => {
        assert.deepEqual(runs.map(r => `${r.stack}:${r.preview}`).sort(), ["dev:false", "dev:true", "prod:false", "prod:true"]);
        for (const run of runs) {
            assert.equal(run.program.error, undefined);
            // No violation at all: not even an advisory "can't run during preview".
            assert.deepEqual(run.report!.violations, [], format(run));
            assert.equal(failed(run), false);
        }
    });

    // The command below runs a broken variant in both modes; here, the preview a pull request gets.
    const previewOf = async (config: Record<string, unknown>) => {
        const program = await runProgram({ stack: "prod", preview: true, config });
        assert.equal(program.error, undefined);
        return runStackPolicies(policies, program.resources, packConfigFor("prod"));
    };

    it("fails the program given a VPC-restricted extra bucket policy statement", async () => {
        const report = await previewOf({ extraBucketPolicyStatements: [VPC_ONLY] });
        assert.deepEqual(report.violations.map(v => `${v.enforcementLevel} ${v.policy}`).sort(), [
            "mandatory no-vpc-only-bucket-policy",
            "mandatory personalize-bucket-access",
        ]);
    });

    it("fails a batch stack whose bucket policy denies Personalize's PutObject", async () => {
        const denyWrites = { Sid: "NoWrites", Effect: "Deny", Principal: "*", Action: "s3:PutObject", Resource: `${PROD_BUCKET}/*` };
        const report = await previewOf({ extraBucketPolicyStatements: [denyWrites] });
        assert.deepEqual(
            report.violations.map(v => `${v.enforcementLevel} ${v.policy}`),
            ["mandatory personalize-bucket-access"],
        );
        assert.match(report.violations[0].message, /s3:PutObject on every key under .*\/batch\/output\/ is denied by statement "NoWrites"/);
    });

    it("fails a batch stack whose documents lost their PutObject statement", async () => {
        const prod = runs.find(r => r.stack === "prod" && !r.preview)!;
        const withoutPut = prod.program.resources.map(r => {
            if (typeof r.inputs.policy !== "string") return r;
            const doc = JSON.parse(r.inputs.policy);
            doc.Statement = doc.Statement.filter((s: { Action: string }) => s.Action !== "s3:PutObject");
            return { ...r, inputs: { ...r.inputs, policy: JSON.stringify(doc) } };
        });
        const report = await runStackPolicies(policies, withoutPut, packConfigFor("prod"));
        assert.deepEqual(report.violations.map(v => v.policy).sort(), ["personalize-bucket-access", "personalize-role-access"]);
    });

    describe("as a command", () => {
        const gateCommand = (...args: string[]) =>
            spawnSync(process.execPath, ["-r", "ts-node/register/transpile-only", path.join(PROJECT_DIR, "offline", "gate.ts"), ...args], {
                cwd: PROJECT_DIR,
                encoding: "utf8",
            });

        it("exits 1 and prints the violations like pulumi preview on a broken variant", () => {
            const result = gateCommand("--stack", "prod", "--set", `extraBucketPolicyStatements=${JSON.stringify([VPC_ONLY])}`);
            assert.equal(result.status, 1, result.stderr);
            assert.match(
                result.stdout,
                /stack prod \(preview\)\nPolicies:\n {4}❌ personalize-bucket-policies@v0\.1\.0 \(local: policypack\)\n/,
            );
            assert.match(
                result.stdout,
                / {8}- \[mandatory\] {2}no-vpc-only-bucket-policy {2}\(aws:s3\/bucketPolicy:BucketPolicy: personalize-data-policy\)\n {10}BucketPolicy "personalize-data-policy", statement "VpcOnly" \(Deny\)/,
            );
            assert.match(result.stdout, /policy gate FAILED: prod \(preview\), prod \(update\)\n$/);
        });

        it("exits 2 with its usage on an unknown argument", () => {
            const result = gateCommand("--stacks", "dev");
            assert.equal(result.status, 2);
            assert.equal(result.stderr, 'unknown argument "--stacks"; usage: npm run gate [-- --stack NAME] [--set key=value ...]\n');
        });
    });
});
