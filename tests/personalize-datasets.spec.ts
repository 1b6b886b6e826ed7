import * as assert from "node:assert/strict";
import { createHash } from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { InvalidArgumentError } from "../components/errors";
import { ResultCache, localFileVersion } from "../datacheck";
import { PersonalizeDataBucket, type PersonalizeDataBucketArgs } from "../components/personalize-data-bucket";
import {
    PersonalizeDatasets,
    checkImport,
    importJobName,
    planImport,
    s3ImportJobName,
    type ImportArgs,
} from "../components/personalize-datasets";
import { PROJECT_DIR } from "../offline/program";
import type { RecordedResource } from "../offline/recorder";
import { sampleData } from "../scripts/generate-sample-data";
import { inProcessRuntime } from "./harness/in-process";

const CSV = sampleData();
const SCHEMAS = {
    interactions: path.join(PROJECT_DIR, "schemas", "interactions.json"),
    items: path.join(PROJECT_DIR, "schemas", "items.json"),
    users: path.join(PROJECT_DIR, "schemas", "users.json"),
};
const GROUP = { name: "retail" };
let tmp: string;
let counter = 0;

function dataFolder(files: Record<string, string>): string {
    const dir = fs.mkdtempSync(path.join(tmp, "data-"));
    for (const [name, content] of Object.entries(files)) fs.writeFileSync(path.join(dir, name), content);
    return dir;
}

function refuses(args: Partial<PersonalizeDataBucketArgs & ImportArgs>, argument: string, message: string) {
    assert.throws(
        () => planImport({ dataDir: dataFolder(CSV), schemas: SCHEMAS, datasetGroup: GROUP, ...args }),
        (err: unknown) => {
            assert.ok(err instanceof InvalidArgumentError, `expected InvalidArgumentError, got ${err}`);
            assert.equal(err.argument, argument);
            assert.equal(err.problem, message);
            return true;
        },
    );
}

/** Declares the bucket (files in a folder per dataset type) and the datasets; returns the datasets' resources. */
async function declare(files: Record<string, string>, args: Partial<PersonalizeDataBucketArgs & ImportArgs>) {
    const name = `datasets${++counter}`;
    const bucketArgs = { dataDir: dataFolder(files), schemas: SCHEMAS, ...args };
    const plan = planImport({ datasetGroup: GROUP, ...bucketArgs })!;
    const bucket = await PersonalizeDataBucket.create(name, { ...bucketArgs, folderPerDatasetType: true });
    const datasets = await PersonalizeDatasets.create(name, plan, bucket);
    const { resources } = await inProcessRuntime().snapshot();
    const own = resources.filter(r => r.name.startsWith(`${name}-`));
    const byName = (suffix: string): RecordedResource => own.find(r => r.name === `${name}-${suffix}`)!;
    return { name, own, byName, datasets, bucket };
}

describe("PersonalizeDatasets", () => {
    before(() => {
        tmp = fs.mkdtempSync(path.join(os.tmpdir(), "personalize-datasets-"));
        inProcessRuntime();
    });
    after(() => fs.rmSync(tmp, { recursive: true, force: true }));

    describe("arguments, checked before any resource", () => {
        it("plans nothing without datasetGroup, and refuses datasetImportTimeout or importAttempt alone", () => {
            assert.equal(planImport({ dataDir: dataFolder(CSV) }), undefined);
            assert.throws(
                () => planImport({ dataDir: dataFolder(CSV), datasetImportTimeout: "1h" }),
                /^InvalidArgumentError: datasetImportTimeout: applies to dataset imports only; set datasetGroup too, or remove it$/,
            );
            assert.throws(
                () => planImport({ dataDir: dataFolder(CSV), importAttempt: 2 }),
                /^InvalidArgumentError: importAttempt: applies to dataset imports only; set datasetGroup too, or remove it$/,
            );
        });

        it("takes importAttempt as a whole number from 1", () => {
            const plan = (importAttempt: number) =>
                planImport({ dataDir: dataFolder(CSV), schemas: SCHEMAS, datasetGroup: { name: "retail" }, importAttempt });
            assert.equal(plan(3)?.attempt, 3);
            for (const bad of [0, 1.5])
                assert.throws(
                    () => plan(bad),
                    new RegExp(
                        `^InvalidArgumentError: importAttempt: must be a whole number, 1 or more, got ${bad}; raise it by one to retry a failed import$`,
                    ),
                );
        });

        it("takes a group name and domain as CreateDatasetGroup does", () => {
            const plan = planImport({
                dataDir: dataFolder(CSV),
                schemas: SCHEMAS,
                datasetGroup: { name: "Retail_2-a", domain: "VIDEO_ON_DEMAND" },
            });
            assert.deepEqual(plan, {
                datasetGroup: { name: "Retail_2-a", domain: "VIDEO_ON_DEMAND" },
                timeout: "36h",
                schemas: SCHEMAS,
                attempt: 1,
            });
            assert.equal(
                planImport({ dataDir: dataFolder(CSV), schemas: SCHEMAS, datasetGroup: { name: "a".repeat(63) } })!.datasetGroup.name
                    .length,
                63,
            );
            const rule = 'must be 1 to 63 letters, digits, "-" and "_", starting with a letter or digit';
            for (const name of ["", "-retail", "re tail", "a".repeat(64), "retail.v2"])
                refuses({ datasetGroup: { name } }, "datasetGroup", `name ${JSON.stringify(name)} ${rule}`);
            refuses(
                { datasetGroup: { name: "retail", domain: "RETAIL" as never } },
                "datasetGroup",
                'domain "RETAIL" is not a Personalize domain; use ECOMMERCE or VIDEO_ON_DEMAND, or leave it out',
            );
            refuses(
                { datasetGroup: { name: "retail", kms: "x" } as never },
                "datasetGroup",
                'has no setting "kms"; it takes name and domain',
            );
        });

        it("takes a timeout up to the 36 hours AWS waits for an import", () => {
            const timeout = (datasetImportTimeout: string) =>
                planImport({ dataDir: dataFolder(CSV), schemas: SCHEMAS, datasetGroup: GROUP, datasetImportTimeout })!.timeout;
            assert.equal(timeout("36h"), "36h");
            assert.equal(timeout("2h30m"), "2h30m");
            assert.equal(timeout("90s"), "90s");
            for (const bad of ["", "0h", "36h1s", "37h", "1d", "90", "1.5h", "h"]) {
                refuses(
                    { datasetImportTimeout: bad },
                    "datasetImportTimeout",
                    `expects a duration such as "36h", "90m" or "2h30m", above 0 and at most 36h (AWS gives up on an import after 36 hours), got ${JSON.stringify(bad)}`,
                );
            }
        });

        it("needs the schema of every dataset type present, naming the missing ones", () => {
            refuses(
                { schemas: { interactions: SCHEMAS.interactions } },
                "schemas",
                "datasetGroup is set, so every dataset needs the schema it is created with; add items: schemas/items.json, users: schemas/users.json (the Avro JSON CreateSchema takes)",
            );
            refuses(
                { schemas: { interactions: SCHEMAS.interactions, items: SCHEMAS.items } },
                "schemas",
                "datasetGroup is set, so every dataset needs the schema it is created with; add users: schemas/users.json (the Avro JSON CreateSchema takes)",
            );
            // Only the types present: interactions alone needs its schema alone.
            const plan = planImport({
                dataDir: dataFolder({ "interactions.csv": CSV["interactions.csv"] }),
                schemas: SCHEMAS,
                datasetGroup: GROUP,
            });
            assert.deepEqual(plan!.schemas, { interactions: SCHEMAS.interactions });
        });

        it("refuses dataset types aws-native can't create, with the CLI lines to import them by hand", () => {
            const args = { datasetGroup: GROUP, schemas: SCHEMAS };
            assert.deepEqual(Object.keys(checkImport(args, ["interactions", "items", "users"]).schemas), [
                "interactions",
                "items",
                "users",
            ]);
            assert.throws(
                () => checkImport(args, ["interactions", "action_interactions", "actions"]),
                (err: unknown) => {
                    assert.ok(err instanceof InvalidArgumentError);
                    assert.equal(err.argument, "datasetGroup");
                    assert.equal(
                        err.problem,
                        "the data has action_interactions, actions files, which @pulumi/aws-native can't import: AWS::Personalize::Dataset takes " +
                            "Interactions, Items and Users only. Move those files out of dataDir and import them by hand: " +
                            "aws s3 cp <your action_interactions files> s3://<bucketName>/<keyPrefix>/action_interactions/ --recursive; " +
                            'aws personalize create-dataset --name retail-action_interactions --dataset-type Action_Interactions --dataset-group-arn "$(pulumi stack output datasetGroupArn)" ' +
                            "--schema-arn <ARN from aws personalize create-schema>; aws personalize create-dataset-import-job --job-name action_interactions-$(date +%Y%m%d%H%M%S) " +
                            '--dataset-arn <its ARN> --data-source dataLocation=s3://<bucketName>/<keyPrefix>/action_interactions/ --role-arn "$(pulumi stack output roleArn)" --import-mode FULL; ' +
                            "aws s3 cp <your actions files> s3://<bucketName>/<keyPrefix>/actions/ --recursive; " +
                            'aws personalize create-dataset --name retail-actions --dataset-type Actions --dataset-group-arn "$(pulumi stack output datasetGroupArn)" ' +
                            "--schema-arn <ARN from aws personalize create-schema>; aws personalize create-dataset-import-job --job-name actions-$(date +%Y%m%d%H%M%S) " +
                            '--dataset-arn <its ARN> --data-source dataLocation=s3://<bucketName>/<keyPrefix>/actions/ --role-arn "$(pulumi stack output roleArn)" --import-mode FULL',
                    );
                    return true;
                },
            );
        });

        it("reports a bad data folder as the bucket component does", () => {
            const missing = path.join(tmp, "nowhere");
            assert.throws(
                () => planImport({ dataDir: missing, datasetGroup: GROUP, schemas: SCHEMAS }),
                (err: unknown) => err instanceof InvalidArgumentError && err.argument === "dataDir",
            );
        });
    });

    describe("import job names", () => {
        it("of a folder a pipeline writes: change exactly when its listing does (a key, size or ETag), and with the attempt", async () => {
            const object = (key: string, size: number, etag: string) => ({ uri: `s3://b/${key}`, key, size, etag });
            const listing = [object("import/users/part-0.csv", 100, '"aa"'), object("import/users/part-1.csv", 200, '"bb"')];
            const name = (listed = listing, attempt = 1) => s3ImportJobName("retail", "users", listed, SCHEMAS.users, attempt);
            const first = await name();
            assert.match(first, /^users-[0-9a-f]{24}$/);
            assert.equal(await name([...listing].reverse()), first, "the order of the listing doesn't count");
            for (const changed of [
                [object("import/users/part-0.csv", 100, '"cc"'), listing[1]], // rewritten, same size: only the ETag tells
                [object("import/users/part-0.csv", 101, '"aa"'), listing[1]],
                [object("import/users/part-9.csv", 100, '"aa"'), listing[1]],
                [listing[0]],
                [...listing, object("import/users/_SUCCESS", 0, '"d41d8cd98f00b204e9800998ecf8427e"')],
            ])
                assert.notEqual(await name(changed), first, JSON.stringify(changed));
            assert.notEqual(await name(listing, 2), first);
            assert.notEqual(await s3ImportJobName("catalogue", "users", listing, SCHEMAS.users), first);
        });

        for (const cache of ["without a cache", "with the data-check cache (a digest per unchanged file)"]) {
            it(`change exactly when the bytes of a file or of the schema change, or a file is added (${cache})`, async () => {
                const dir = dataFolder({ "a.csv": "USER_ID\nu1\n", "b.csv": "USER_ID\nu2\n" });
                const cacheDir = cache.startsWith("with") ? path.join(dir, "cache") : undefined;
                const jobName = (group: string, files: string[], schemaFile: string) =>
                    importJobName(group, "users", files, schemaFile, cacheDir);
                const schema = path.join(dir, "schema.json");
                fs.writeFileSync(schema, fs.readFileSync(SCHEMAS.users));
                const [a, b] = [path.join(dir, "a.csv"), path.join(dir, "b.csv")];
                const name = () => jobName("retail", [a, b], schema);
                const first = await name();
                assert.match(first, /^users-[0-9a-f]{24}$/);
                assert.equal(await name(), first);
                // Same bytes: a new modification time, another order, other file names.
                fs.utimesSync(a, new Date(2020, 0, 1), new Date(2020, 0, 1));
                assert.equal(await name(), first);
                assert.equal(await jobName("retail", [b, a], schema), first);
                const renamed = path.join(dir, "renamed.csv");
                fs.copyFileSync(a, renamed);
                assert.equal(await jobName("retail", [renamed, b], schema), first);
                // One byte of data, in a file of the same size and modification time.
                const { mtime } = fs.statSync(a);
                fs.writeFileSync(a, "USER_ID\nu3\n");
                fs.utimesSync(a, mtime, mtime);
                const changed = await name();
                assert.notEqual(changed, first);
                // Back to the same bytes: the same name again.
                fs.writeFileSync(a, "USER_ID\nu1\n");
                assert.equal(await name(), first);
                // Another dataset group: job names are unique in the account.
                assert.notEqual(await jobName("catalogue", [a, b], schema), first);
                // A file added, and the schema changed.
                assert.notEqual(await jobName("retail", [a, b, renamed], schema), first);
                fs.appendFileSync(schema, "\n");
                assert.notEqual(await name(), first);
            });
        }

        it("hash each data file once: the digest is kept in the data-check cache, beside the file's check", async () => {
            const cacheDir = path.join(tmp, "job-name-cache");
            const { bucket, datasets } = await declare({ "users.csv": CSV["users.csv"] }, { dataCheckCacheDir: cacheDir });
            const file = bucket.uploads[0].path;
            const digest = await new ResultCache(cacheDir).getDigest(localFileVersion(file, fs.statSync(file)));
            assert.equal(digest, createHash("sha256").update(CSV["users.csv"]).digest("hex"));
            assert.equal(datasets.importJobNames.users, await importJobName(GROUP.name, "users", [file], SCHEMAS.users));
        });
    });

    describe("resources", () => {
        it("declares a dataset only for the types present, waiting 36 hours by default, its files in their own folder", async () => {
            const { byName, own, name } = await declare(
                { "interactions.csv": CSV["interactions.csv"], "catalogue.csv": CSV["items.csv"] },
                { datasetTypes: { "catalogue.csv": "items" } },
            );
            assert.deepEqual(
                own
                    .filter(r => r.type === "aws-native:personalize:Dataset")
                    .map(r => r.name)
                    .sort(),
                [`${name}-interactions`, `${name}-items`],
            );
            assert.equal(byName("catalogue.csv").inputs.key, "import/items/catalogue.csv");
            const items = byName("items");
            assert.equal(items.inputs.datasetType, "Items");
            assert.match(items.inputs.datasetImportJob.dataSource.dataLocation, /^s3:\/\/[^/]+\/import\/items\/$/);
            assert.deepEqual(items.options!.customTimeouts, { create: 36 * 3600, update: 36 * 3600, delete: 0 });
        });

        it("gives a domain to the group and its schemas, and the bucket's KMS key with the service role to the group", async () => {
            const key = "arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab";
            const { byName, bucket } = await declare(
                { "users.csv": CSV["users.csv"] },
                { datasetGroup: { name: "retail", domain: "ECOMMERCE" }, kmsKey: key },
            );
            const roleName = await new Promise(resolve => bucket.roleName.apply(resolve));
            assert.deepEqual(byName("group").inputs, {
                name: "retail",
                domain: "ECOMMERCE",
                kmsKeyArn: key,
                roleArn: `arn:aws:iam::123456789012:role/${roleName}`,
            });
            // Personalize checks the role may use the key when it creates the group.
            assert.ok(
                byName("group").dependencies.includes(byName("kms-access").urn),
                "the group must wait for the role's grant on the key",
            );
            assert.equal(byName("users-schema").inputs.domain, "ECOMMERCE");
        });

        it("gives the group no key or role without kmsKey, and lets it be created at once", async () => {
            const { byName } = await declare({ "users.csv": CSV["users.csv"] }, {});
            assert.deepEqual(byName("group").inputs, { name: GROUP.name });
            assert.deepEqual(byName("group").dependencies, []);
        });
    });
});
