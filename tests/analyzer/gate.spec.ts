// Kept in tests/analyzer/, first in name order: mocha hands files to its workers in that order, and this
// spec (a pack start and many program runs) is the longest, so it starts while the other worker runs the rest.
import * as assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { analyzerResources } from "../../offline/analyzer";
import {
    Gate,
    GateError,
    attributeError,
    failed,
    formatStack,
    main,
    packConfigLabel,
    parseArguments,
    type GateRun,
} from "../../offline/gate";
import { installPackAlone } from "../../offline/pack-install";
import { PackConfigError, parsePackConfig, readPackConfigFile, reconcilePackConfig } from "../../offline/pack-config";
import { runStackPolicies, type PackConfigFile } from "../../offline/policy-engine";
import { PROJECT_DIR, StackFileError, committedStacks, stackConfig } from "../../offline/program";
import { durationSeconds, type RecordedResource } from "../../offline/recorder";
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
const DENY_WRITES = { Sid: "NoWrites", Effect: "Deny", Principal: "*", Action: "s3:PutObject", Resource: `${PROD_BUCKET}/*` };

const packConfigFor = (stack: string) =>
    JSON.parse(fs.readFileSync(path.join(PROJECT_DIR, "policypack", "config", `${stack}.json`), "utf8"));

/** A policy's description, which the pack's server puts before every message of the policy. */
const description = (name: string) => policies.find(p => p.name === name)!.description;

/** The real server's diagnostics and the in-process engine's violations, in one comparable form. */
async function bothVerdicts(gate: Gate, stack: string, preview: boolean, resources: RecordedResource[], config: Record<string, string>) {
    const server = (await gate.analyze(stack, preview, resources, config))
        .map(d => ({ policy: d.policyName, level: d.enforcementLevel, message: d.message, urn: d.urn }))
        .sort((a, b) => a.policy.localeCompare(b.policy));
    // The emulation judges what the engine sends: the resources' state.
    const stated = resources.map(r => ({ ...r, inputs: r.state ?? r.inputs }));
    const emulated = (await runStackPolicies(policies, stated, packConfigFor(stack) as PackConfigFile)).violations
        .map(v => ({
            policy: v.policy,
            level: v.enforcementLevel as string,
            message: `${description(v.policy)}\n${v.message}`,
            urn: v.urn ?? "",
        }))
        .sort((a, b) => a.policy.localeCompare(b.policy));
    return { server, emulated };
}

describe("the policy gate (npm run gate): the pack installed alone, started as the Pulumi CLI starts it", () => {
    let gate: Gate;
    let committed: GateRun[];
    before(async () => {
        gate = await Gate.open();
        committed = await Promise.all(committedStacks().flatMap(stack => [true, false].map(preview => gate.run(stack, preview))));
    });
    after(async () => gate?.close());

    it("serves the pack's name, version and every policy of policies.ts at its default level, with its config schema", () => {
        assert.equal(gate.info.name, "personalize-bucket-policies");
        assert.equal(gate.info.version, JSON.parse(fs.readFileSync(path.join(PROJECT_DIR, "policypack", "package.json"), "utf8")).version);
        assert.deepEqual(
            gate.info.policies.map(p => [p.name, p.enforcementLevel]),
            policies.map(p => [p.name, p.enforcementLevel]),
        );
        for (const policy of gate.info.policies)
            assert.deepEqual(policy.configSchema?.properties, policies.find(p => p.name === policy.name)!.configSchema?.properties);
        assert.ok(gate.server.startMs > 0);
    });

    it("passes every committed stack in preview and update mode: no diagnostic at all, not even a can't-run-during-preview", () => {
        assert.deepEqual(
            committed.map(r => `${r.stack}:${r.preview}`),
            ["dev:true", "dev:false", "import:true", "import:false", "prod:true", "prod:false"],
        );
        for (const run of committed) {
            assert.equal(run.program.error, undefined);
            assert.deepEqual(run.diagnostics, [], `${run.stack} ${run.preview}`);
            assert.equal(failed(run), false);
        }
    });

    it("sends the stack resource with its outputs and the default aws provider with the stack's region", () => {
        const prod = committed.find(r => r.stack === "prod" && !r.preview)!.program.resources;
        const stack = prod.find(r => r.type === "pulumi:pulumi:Stack")!;
        assert.equal(stack.urn, "urn:pulumi:prod::personalize-data-bucket::pulumi:pulumi:Stack::personalize-data-bucket-prod");
        assert.equal(stack.state!.bucketName, "personalize-data-prod-123456789012-eu-west-1");
        const provider = prod.find(r => r.type === "pulumi:providers:aws")!;
        assert.deepEqual(provider.state, { region: "eu-west-1", version: "7.48.0" });
        const bucket = prod.find(r => r.type === "aws:s3/bucket:Bucket")!;
        assert.equal(bucket.provider, `${provider.urn}::00000000-0000-0000-0000-000000000000`);
        const previewBucket = committed
            .find(r => r.stack === "prod" && r.preview)!
            .program.resources.find(r => r.type === "aws:s3/bucket:Bucket")!;
        assert.equal(previewBucket.provider, `${provider.urn}::04da6b54-80e4-46f7-96ec-b56ff0331ba9`);
        // The update's state is what the provider returned (its computed ARN included); a preview's, the inputs.
        assert.equal(bucket.state!.arn, "arn:aws:s3:::personalize-data-prod-123456789012-eu-west-1");
        assert.deepEqual(previewBucket.state, previewBucket.inputs);
        assert.equal(previewBucket.state!.arn, undefined);
    });

    describe("the in-process engine the policy specs use agrees with the server on every gate case", () => {
        it("the committed stacks, both modes", async () => {
            for (const run of committed) {
                const { server, emulated } = await bothVerdicts(
                    gate,
                    run.stack,
                    run.preview,
                    run.program.resources,
                    stackConfig(run.stack),
                );
                assert.deepEqual(emulated, server, `${run.stack} ${run.preview}`);
            }
        });

        for (const [name, statement, expected] of [
            ["a VPC-only statement", VPC_ONLY, ["no-vpc-only-bucket-policy", "personalize-bucket-access"]],
            ["a Deny of Personalize's PutObject", DENY_WRITES, ["personalize-bucket-access"]],
        ] as const) {
            // In preview, as a pull request is gated (the command test below runs both modes).
            it(`${name}: the same mandatory violations, messages and resources`, async () => {
                const run = await gate.run("prod", true, { extraBucketPolicyStatements: [statement] });
                assert.equal(run.program.error, undefined);
                const { server, emulated } = await bothVerdicts(gate, "prod", true, run.program.resources, stackConfig("prod"));
                assert.deepEqual(
                    server.map(d => `${d.level} ${d.policy}`),
                    expected.map(p => `mandatory ${p}`),
                );
                assert.deepEqual(emulated, server);
            });
        }

        it("documents that lost their PutObject statement, and a bucket policy unknown in preview (advisory, no resource)", async () => {
            const prod = committed.find(r => r.stack === "prod" && !r.preview)!.program.resources;
            const withoutPut = prod.map(r => {
                if (typeof r.state?.policy !== "string") return r;
                const doc = JSON.parse(r.state.policy);
                doc.Statement = doc.Statement.filter((s: { Action: string }) => s.Action !== "s3:PutObject");
                return { ...r, state: { ...r.state, policy: JSON.stringify(doc) } };
            });
            const lost = await bothVerdicts(gate, "prod", false, withoutPut, stackConfig("prod"));
            assert.deepEqual(
                lost.server.map(d => d.policy),
                ["personalize-bucket-access", "personalize-role-access"],
            );
            assert.deepEqual(lost.emulated, lost.server);
            const unknownPolicy = prod.map(r =>
                r.type === "aws:s3/bucketPolicy:BucketPolicy"
                    ? { ...r, state: { ...r.state, policy: "04da6b54-80e4-46f7-96ec-b56ff0331ba9" } }
                    : r,
            );
            const unknown = await bothVerdicts(gate, "prod", true, unknownPolicy, stackConfig("prod"));
            assert.ok(unknown.server.length > 0);
            for (const d of unknown.server) {
                assert.equal(d.level, "advisory");
                assert.equal(d.urn, "");
                assert.match(
                    d.message,
                    new RegExp(
                        `can't run policy '${d.policy}' from policy pack 'personalize-bucket-policies@v0\\.1\\.0' during preview: string value at \\.policy can't be known during preview`,
                    ),
                );
            }
            // The emulation words the same verdict without the pack's name.
            assert.deepEqual(
                unknown.emulated.map(d => [d.policy, d.level, d.urn]),
                unknown.server.map(d => [d.policy, d.level, d.urn]),
            );
        });
    });

    it("Configure reaches the policies: levels as the enum, disabled policies skipped, properties as given", async () => {
        const run = await gate.run("prod", true, { extraBucketPolicyStatements: [VPC_ONLY] });
        const label = "test";
        try {
            await gate.server.configure(
                reconcilePackConfig(gate.info, parsePackConfig({ all: "advisory", "no-vpc-only-bucket-policy": "disabled" }, label), label),
            );
            const levels = (await gate.server.analyzeStack(run.program.resources)).map(d => `${d.enforcementLevel} ${d.policyName}`);
            assert.deepEqual(levels, ["advisory personalize-bucket-access"]);
            await gate.server.configure(
                reconcilePackConfig(gate.info, parsePackConfig({ "personalize-role-trust": { partition: "aws-cn" } }, label), label),
            );
            const committedProd = committed.find(r => r.stack === "prod" && r.preview)!;
            const [trust] = await gate.server.analyzeStack(committedProd.program.resources);
            assert.equal(trust.policyName, "personalize-role-trust");
            // The documents name partition aws; told the stack is in aws-cn, the pack can't show the trust holds.
            assert.equal(
                trust.message,
                `${description("personalize-role-trust")}\nPersonalize service role "personalize-data-prod-123456789012-eu-west-1-personalize", Role "personalize-data-role" (assumeRolePolicy): Personalize acting for your account 123456789012 (aws:SourceAccount 123456789012, aws:SourceArn arn:aws-cn:personalize:eu-west-1:123456789012:dataset-import-job/personalize-import) ` +
                    `can't assume it: ` +
                    `in statement "PersonalizeAssumeRole", StringLike aws:SourceArn "arn:aws:personalize:eu-west-1:123456789012:*" doesn't hold; ` +
                    `Personalize sends both keys for the same account, from the stack's region and partition: ` +
                    `StringEquals aws:SourceAccount = 123456789012 and StringLike aws:SourceArn = arn:aws-cn:personalize:eu-west-1:123456789012:*.`,
            );
            // The gate configures each analysis from the stack's own file, whatever the server was told before.
            const fromFile = await gate.analyze("prod", true, run.program.resources, stackConfig("prod"));
            assert.deepEqual(
                fromFile.map(d => `${d.enforcementLevel} ${d.policyName}`),
                ["mandatory personalize-bucket-access", "mandatory no-vpc-only-bucket-policy"],
            );
        } finally {
            await gate.server.configure(reconcilePackConfig(gate.info, parsePackConfig(packConfigFor("prod"), label), label));
        }
    });

    describe("pack config, reconciled as the CLI does", () => {
        const label = "policypack/config/test.json";
        const reconcile = (file: object) => reconcilePackConfig(gate.info, parsePackConfig(file, label), label);

        it("fills schema defaults and the policies' own level, then applies all, then each policy", () => {
            const config = reconcile({
                all: { enforcementLevel: "advisory" },
                "no-public-access": { enforcementLevel: "mandatory", partition: "aws-cn" },
            });
            assert.deepEqual(config["no-public-access"], {
                enforcementLevel: "mandatory",
                properties: { buckets: {}, partition: "aws-cn", roleTrustPolicyLength: 2048 },
            });
            assert.deepEqual(config["personalize-role-trust"], {
                enforcementLevel: "advisory",
                properties: { buckets: {}, partition: "aws", roleTrustPolicyLength: 2048 },
            });
            assert.deepEqual(
                Object.keys(config),
                gate.info.policies.map(p => p.name),
            );
        });

        it("refuses a value outside a policy's schema, naming the file, the policy, the key and what it accepts", () => {
            assert.throws(
                () => reconcile({ "personalize-bucket-access": { partition: "aws-gov" } }),
                (err: Error) =>
                    err instanceof PackConfigError &&
                    err.message ===
                        'policypack/config/test.json: personalize-bucket-access: partition must be equal to one of the allowed values: "aws", "aws-cn", "aws-us-gov", got "aws-gov"',
            );
        });

        it("takes the account's trust policy length quota from 2048 (the default) to 4096, and refuses others", () => {
            assert.deepEqual(reconcile({ "policy-document-validity": { roleTrustPolicyLength: 4096 } })["policy-document-validity"], {
                enforcementLevel: "mandatory",
                properties: { buckets: {}, partition: "aws", roleTrustPolicyLength: 4096 },
            });
            for (const [value, problem] of [
                [4097, "must be <= 4096"],
                [2047, "must be >= 2048"],
                [3000.5, "must be integer"],
                ["4096", "must be integer"],
            ] as const) {
                assert.throws(
                    () => reconcile({ "policy-document-validity": { roleTrustPolicyLength: value } }),
                    (err: Error) =>
                        err instanceof PackConfigError &&
                        err.message ===
                            `policypack/config/test.json: policy-document-validity: roleTrustPolicyLength ${problem}, got ${JSON.stringify(value)}`,
                );
            }
        });

        it("refuses a policy name the pack doesn't have, listing the ones it has", () => {
            assert.throws(
                () => reconcile({ "personalize-buckets-access": "advisory" }),
                (err: Error) =>
                    err.message ===
                    `policypack/config/test.json: "personalize-buckets-access" is not a policy of personalize-bucket-policies; its policies are ${policies.map(p => p.name).join(", ")} (or "all")`,
            );
        });

        it("names the file of broken JSON and of a bad enforcement level", () => {
            const dir = fs.mkdtempSync(path.join(os.tmpdir(), "pack-config-"));
            try {
                const file = path.join(dir, "prod.json");
                fs.writeFileSync(file, '{ "all": "mandatory", }');
                assert.throws(
                    () => readPackConfigFile(file, packConfigLabel("prod")),
                    /^Error: policypack\/config\/prod\.json: not valid JSON: /,
                );
                fs.writeFileSync(file, '{ "all": "required" }');
                assert.throws(
                    () => readPackConfigFile(file, packConfigLabel("prod")),
                    (err: Error) =>
                        err.message ===
                        'policypack/config/prod.json: "all": "required" is not an enforcement level; use advisory, mandatory, remediate, disabled',
                );
            } finally {
                fs.rmSync(dir, { recursive: true, force: true });
            }
        });
    });

    describe("as a command", () => {
        const command = async (...argv: string[]) => {
            const lines: string[] = [];
            const log = console.log;
            console.log = (...args: unknown[]) => void lines.push(args.join(" "));
            try {
                return { code: await main(argv, gate), stdout: `${lines.join("\n")}\n` };
            } finally {
                console.log = log;
            }
        };

        it("exits 1 on a broken variant, printing what would be built and the violations like pulumi preview", async () => {
            const { code, stdout } = await command("--stack", "prod", "--set", `extraBucketPolicyStatements=${JSON.stringify([VPC_ONLY])}`);
            assert.equal(code, 1);
            assert.match(stdout, /^stack prod\n {4}Resources: 16\n {8}pulumi:pulumi:Stack +personalize-data-bucket-prod\n/);
            assert.match(stdout, /\n {8}aws:s3\/bucketPolicy:BucketPolicy +personalize-data-policy\n/);
            assert.match(stdout, /\n {4}Outputs:\n {8}bucketName: "personalize-data-prod-123456789012-eu-west-1"\n/);
            assert.match(
                stdout,
                / {2}preview:\n {4}Policies:\n {8}❌ personalize-bucket-policies@v0\.1\.0 \(local: policypack\)\n {12}- \[mandatory\] {2}no-vpc-only-bucket-policy {2}\(aws:s3\/bucketPolicy:BucketPolicy: personalize-data-policy\)\n/,
            );
            assert.ok(
                stdout.includes(
                    `\n              BucketPolicy "personalize-data-policy", statement "VpcOnly" (Deny): its condition tests aws:SourceVpce`,
                ),
            );
            assert.match(stdout, /\npolicy gate FAILED: prod \(preview\), prod \(update\) \(pack started in [\d.]+ s, gate [\d.]+ s\)\n$/);
        });

        it("prints a config error once for both modes and blames --set for a value given there", async () => {
            // The update run is the one tests/program.spec.ts makes (runs are shared).
            const { code, stdout } = await command("--stack", "dev", "--set", "keyPrefix=/import");
            assert.equal(code, 1);
            assert.equal(
                stdout.split("\n")[1],
                '    error (preview and update): --set keyPrefix: must not start with "/", got "/import"; use folder names of letters, digits, ".", "_" and "-" separated by "/", e.g. "personalize/import"',
            );
            assert.equal(stdout.match(/must not start with/g)!.length, 1);
        });

        for (const flag of ["--help", "-h"]) {
            it(`${flag} prints the usage and exits 0`, async () => {
                const { code, stdout } = await command(flag);
                assert.equal(code, 0);
                assert.match(stdout, /^usage: npm run gate \[-- --stack NAME \.\.\.\] \[--set KEY=VALUE \.\.\.\]\n/);
            });
        }

        it("lists the stacks when asked for one that doesn't exist, and rejects unknown arguments with the usage", () => {
            assert.throws(
                () => parseArguments(["--stack", "staging"]),
                (err: Error) =>
                    err instanceof GateError &&
                    err.message === "no stack staging (no Pulumi.staging.yaml); the stacks are dev, import, prod",
            );
            assert.throws(
                () => parseArguments(["--stacks", "dev"]),
                (err: Error) => err.message.startsWith('unknown argument "--stacks"\nusage: npm run gate'),
            );
        });

        it("exits 2 with the error on stderr from the shell, before starting anything", () => {
            const result = spawnSync(
                process.execPath,
                ["-r", "ts-node/register/transpile-only", path.join(PROJECT_DIR, "offline", "gate.ts"), "--stack", "staging"],
                {
                    cwd: PROJECT_DIR,
                    encoding: "utf8",
                },
            );
            assert.equal(result.status, 2);
            assert.equal(result.stderr, "gate: no stack staging (no Pulumi.staging.yaml); the stacks are dev, import, prod\n");
        });
    });
});

describe("the gate's report of program errors and warnings", () => {
    const run = (preview: boolean, error?: string, warnings: string[] = []): GateRun => ({
        stack: "dev",
        preview,
        program: { error, outputs: {}, resources: [], warnings, infos: [], programMs: 0, programCpuMs: 0 },
    });
    const info = { name: "pack", version: "1.0.0", policies: [], initialConfig: {} };

    it("shows the program's warnings once per stack", () => {
        const warning = 'ignoring notes.txt in data folder "/data": only .csv files are uploaded';
        const text = formatStack("dev", [run(true, "boom", [warning]), run(false, "boom", [warning])], info, {});
        assert.equal(text, `stack dev\n    warning: ${warning}\n    error (preview and update): boom\n`);
    });

    it("attributes a config error to --set, the stack file, or the program's default", () => {
        const problem = 'expects true or false, got "yes"';
        assert.equal(
            attributeError(`Pulumi.dev.yaml: config personalize-data-bucket:batch: ${problem}`, "dev", { batch: "yes" }),
            `--set batch: ${problem}`,
        );
        assert.equal(
            attributeError(`Pulumi.dev.yaml: config personalize-data-bucket:forceDestroy: ${problem}`, "dev", {}),
            `Pulumi.dev.yaml: config personalize-data-bucket:forceDestroy: ${problem}`,
        );
        assert.equal(
            attributeError("Pulumi.dev.yaml: config personalize-data-bucket:bucketName: is longer than 63 characters", "dev", {}),
            "config personalize-data-bucket:bucketName (not set: the program's default): is longer than 63 characters",
        );
    });
});

describe("stack files, read as the Pulumi CLI reads them", () => {
    let dir: string;
    beforeEach(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), "stack-files-"))));
    afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

    it("names the file of broken YAML", () => {
        fs.writeFileSync(path.join(dir, "Pulumi.x.yaml"), "config:\n  aws:region: [eu-west-1\n");
        assert.throws(
            () => stackConfig("x", dir),
            (err: Error) => err instanceof StackFileError && err.message.startsWith("Pulumi.x.yaml: not valid YAML: "),
        );
    });

    it("refuses a key without a namespace, as `config.ParseKey` does, and accepts the old <namespace>:config:<name>", () => {
        fs.writeFileSync(path.join(dir, "Pulumi.x.yaml"), "config:\n  dataDir: data\n");
        assert.throws(
            () => stackConfig("x", dir),
            (err: Error) =>
                err.message ===
                "Pulumi.x.yaml: could not parse dataDir as a configuration key (configuration keys should be of the form `<namespace>:<name>`); write personalize-data-bucket:dataDir",
        );
        fs.writeFileSync(
            path.join(dir, "Pulumi.x.yaml"),
            "config:\n  personalize-data-bucket:config:dataDir: data\n  personalize-data-bucket:batch: true\n",
        );
        assert.deepEqual(stackConfig("x", dir), { "personalize-data-bucket:dataDir": "data", "personalize-data-bucket:batch": "true" });
    });
});

describe("the pack as it was, without typescript and ts-node in its package.json", () => {
    // Starting it takes seconds; these two facts are why it can't start (see the commit that added them to package.json).
    it("installed alone, run-policy-pack falls back to its TypeScript 3.8, which can't read `import { type X }` (TS1005)", () => {
        const copy = installPackAlone(path.join(PROJECT_DIR, "policypack"), PROJECT_DIR, pkg => {
            const { typescript: _ts, "ts-node": _tsNode, ...dependencies } = pkg.dependencies ?? {};
            return { ...pkg, dependencies };
        });
        try {
            assert.ok(!copy.packages.includes("node_modules/typescript") && !copy.packages.includes("node_modules/ts-node"));
            // What run-policy-pack asks, from the copy's own @pulumi/pulumi; then that compiler on the pack.
            const probe = `
                const path = require("path");
                const { typeScriptRequireStrings } = require("./node_modules/@pulumi/pulumi/tsutils");
                const { typescriptRequire, tsnodeRequire } = typeScriptRequireStrings();
                const ts = require(typescriptRequire);
                const text = require("fs").readFileSync("stack/pack-config.ts", "utf8");
                const { diagnostics } = ts.transpileModule(text, { fileName: "stack/pack-config.ts", reportDiagnostics: true });
                const at = d => { const { line, character } = d.file.getLineAndCharacterOfPosition(d.start); return "(" + (line + 1) + "," + (character + 1) + ")"; };
                console.log(JSON.stringify({
                    typescript: path.relative(".", typescriptRequire), tsnode: path.relative(".", tsnodeRequire), version: ts.version,
                    errors: diagnostics.map(d => "stack/pack-config.ts" + at(d) + ": error TS" + d.code + ": " + ts.flattenDiagnosticMessageText(d.messageText, "\\n")),
                }));`;
            const result = spawnSync(process.execPath, ["-e", probe], { cwd: copy.dir, encoding: "utf8" });
            assert.equal(result.status, 0, result.stderr);
            assert.deepEqual(JSON.parse(result.stdout), {
                typescript: "node_modules/@pulumi/pulumi/vendor/typescript@3.8.3/typescript.js",
                tsnode: "node_modules/@pulumi/pulumi/vendor/ts-node@7.0.1",
                version: "3.8.3",
                errors: ["stack/pack-config.ts(2,26): error TS1005: ',' expected."],
            });
        } finally {
            copy.remove();
        }
    });

    it("with them declared, the copy's run-policy-pack compiles with the pack's own TypeScript 5", () => {
        const copy = installPackAlone(path.join(PROJECT_DIR, "policypack"), PROJECT_DIR);
        try {
            const probe = `const { typeScriptRequireStrings } = require("./node_modules/@pulumi/pulumi/tsutils");
                const { typescriptRequire, tsnodeRequire } = typeScriptRequireStrings();
                console.log(JSON.stringify([require.resolve(typescriptRequire, { paths: [require.resolve("./node_modules/@pulumi/pulumi/tsutils")] }), require(typescriptRequire).version, tsnodeRequire]));`;
            const result = spawnSync(process.execPath, ["-e", probe], { cwd: copy.dir, encoding: "utf8" });
            assert.equal(result.status, 0, result.stderr);
            const [resolved, version, tsnode] = JSON.parse(result.stdout);
            assert.equal(resolved, path.join(fs.realpathSync(copy.dir), "node_modules", "typescript", "lib", "typescript.js"));
            assert.match(version, /^5\./);
            assert.equal(tsnode, "ts-node");
        } finally {
            copy.remove();
        }
    });
});

describe("resources as the engine sends them to AnalyzeStack", () => {
    const provider: RecordedResource = {
        type: "pulumi:providers:aws",
        name: "default_7_48_0",
        urn: "urn:pulumi:dev::p::pulumi:providers:aws::default_7_48_0",
        parent: "",
        custom: true,
        protect: false,
        retainOnDelete: false,
        dependencies: [],
        inputs: { region: "eu-west-1", version: "7.48.0" },
    };
    const bucket: RecordedResource = {
        type: "aws:s3/bucket:Bucket",
        name: "b",
        urn: "urn:pulumi:dev::p::c$aws:s3/bucket:Bucket::b",
        parent: "urn:pulumi:dev::p::c::comp",
        custom: true,
        protect: true,
        retainOnDelete: true,
        dependencies: ["urn:pulumi:dev::p::x::dep"],
        inputs: { bucket: "b", arn: "04da6b54-80e4-46f7-96ec-b56ff0331ba9" },
        state: { bucket: "b", arn: "arn:aws:s3:::b" },
        propertyDependencies: { bucket: ["urn:pulumi:dev::p::x::dep"], tags: [] },
        provider: `${provider.urn}::04da6b54-80e4-46f7-96ec-b56ff0331ba9`,
        options: {
            ignoreChanges: ["tags"],
            deleteBeforeReplace: true,
            additionalSecretOutputs: ["arn"],
            aliases: ["urn:pulumi:dev::p::aws:s3/bucket:Bucket::old"],
            customTimeouts: { create: 300, update: 0, delete: 5400 },
        },
    };

    it("carries state, options, provider, parent, dependencies and only the property dependencies that are not empty", () => {
        const [, wire] = analyzerResources([provider, bucket]);
        assert.deepEqual(wire.getProperties()!.toJavaScript(), { bucket: "b", arn: "arn:aws:s3:::b" });
        const options = wire.getOptions()!;
        assert.deepEqual(
            [
                options.getProtect(),
                options.getIgnorechangesList(),
                options.getDeletebeforereplace(),
                options.getDeletebeforereplacedefined(),
                options.getAdditionalsecretoutputsList(),
                options.getAliasesList(),
                options.getParent(),
            ],
            [true, ["tags"], true, true, ["arn"], ["urn:pulumi:dev::p::aws:s3/bucket:Bucket::old"], bucket.parent],
        );
        const timeouts = options.getCustomtimeouts()!;
        assert.deepEqual([timeouts.getCreate(), timeouts.getUpdate(), timeouts.getDelete()], [300, 0, 5400]);
        const wireProvider = wire.getProvider()!;
        assert.deepEqual(
            [wireProvider.getUrn(), wireProvider.getType(), wireProvider.getName(), wireProvider.getProperties()!.toJavaScript()],
            [provider.urn, provider.type, provider.name, provider.inputs],
        );
        assert.equal(wire.getParent(), bucket.parent);
        assert.deepEqual(wire.getDependenciesList(), bucket.dependencies);
        const deps: Record<string, string[]> = {};
        wire.getPropertydependenciesMap().forEach((v, k) => (deps[k] = v.getUrnsList()));
        assert.deepEqual(deps, { bucket: ["urn:pulumi:dev::p::x::dep"] });
    });

    it("a hand-made resource: its inputs, no provider, options present with deleteBeforeReplace not defined", () => {
        const [wire] = analyzerResources([{ ...provider, type: "aws:s3/bucket:Bucket", inputs: { bucket: "x" } }]);
        assert.deepEqual(wire.getProperties()!.toJavaScript(), { bucket: "x" });
        assert.equal(wire.getProvider(), undefined);
        assert.equal(wire.getOptions()!.getDeletebeforereplacedefined(), false);
    });

    it("custom timeouts in seconds, from the program's Go-style durations", () => {
        assert.deepEqual(["", undefined, "5m", "1h30m", "90s", "1.5h", "250ms"].map(durationSeconds), [0, 0, 300, 5400, 90, 5400, 0.25]);
    });
});
