import * as assert from "node:assert/strict";
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { readStackConfig } from "../components/stack-config";
import { inProcessRuntime, UNIT_PROJECT } from "./harness/in-process";
import { flattenConfig, stackConfig } from "../offline/program";

const PROJECT = "/project";

/** Reads the given config (keys relative to the project namespace) as the program would. */
function read(config: Record<string, unknown>) {
    pulumi.runtime.setAllConfig(flattenConfig(Object.fromEntries(Object.entries(config).map(([k, v]) => [`${UNIT_PROJECT}:${k}`, v]))));
    return readStackConfig(PROJECT);
}

function refuses(config: Record<string, unknown>, message: string) {
    assert.throws(
        () => read(config),
        (err: unknown) => {
            assert.ok(err instanceof pulumi.RunError, `expected a RunError (reported without a stack trace), got ${err}`);
            assert.equal(err.message, message);
            return true;
        },
    );
}

describe("stack config", () => {
    const where = `Pulumi.unit.yaml: config ${UNIT_PROJECT}`;
    before(() => inProcessRuntime());
    after(() => pulumi.runtime.setAllConfig({}));

    it("reads every setting with its type, resolving dataDir from the project folder", () => {
        const args = read({
            dataDir: "datasets/retail",
            keyPrefix: "import",
            batch: true,
            batchInputPrefix: "in",
            batchOutputPrefix: "out",
            bucketName: "acme-data",
            roleName: "AcmePersonalize",
            forceDestroy: false,
            protect: true,
            retainOnDelete: true,
            noncurrentVersionDays: 30,
            tags: { team: "recs" },
            extraBucketPolicyStatements: [{ Sid: "X", Effect: "Deny" }],
            datasetTypes: { "catalogue.csv": "items" },
            schemas: { items: "schemas/items.json" },
            headerOnlyAbove: "10GB",
            datasetGroup: { name: "retail", domain: "ECOMMERCE" },
            datasetImportTimeout: "12h",
        });
        assert.deepEqual(args, {
            dataDir: path.join(PROJECT, "datasets/retail"),
            keyPrefix: "import",
            batch: true,
            batchInputPrefix: "in",
            batchOutputPrefix: "out",
            bucketName: "acme-data",
            roleName: "AcmePersonalize",
            forceDestroy: false,
            protect: true,
            retainOnDelete: true,
            noncurrentVersionDays: 30,
            tags: { team: "recs" },
            extraBucketPolicyStatements: [{ Sid: "X", Effect: "Deny" }],
            datasetTypes: { "catalogue.csv": "items" },
            schemas: { items: path.join(PROJECT, "schemas/items.json") },
            headerOnlyAbove: 10 * 1024 ** 3,
            datasetGroup: { name: "retail", domain: "ECOMMERCE" },
            datasetImportTimeout: "12h",
        });
    });

    it("reads sizes with or without a unit", () => {
        const size = (value: unknown) => read({ headerOnlyAbove: value }).headerOnlyAbove;
        assert.equal(size("500MB"), 500 * 1024 ** 2);
        assert.equal(size("1.5 gb"), 1.5 * 1024 ** 3);
        assert.equal(size(4096), 4096);
        refuses(
            { headerOnlyAbove: "10 parsecs" },
            `${where}:headerOnlyAbove: expects a size such as "10GB", "500MB" or a number of bytes, got "10 parsecs"`,
        );
    });

    it("defaults dataDir to the project's data folder and ignores other namespaces", () => {
        pulumi.runtime.setAllConfig({ "aws:region": "eu-west-1", "other:thing": "x" });
        assert.deepEqual(readStackConfig(PROJECT), { dataDir: path.join(PROJECT, "data") });
    });

    it("refuses a datasetGroup that is not an object with a string name and an optional string domain", () => {
        const accepts = 'an object with a string name and an optional string domain, e.g. {"name": "retail"}';
        for (const value of [["retail"], {}, { name: 7 }, { name: "retail", domain: 1 }]) {
            refuses({ datasetGroup: value }, `${where}:datasetGroup: expects ${accepts}, got ${JSON.stringify(JSON.stringify(value))}`);
        }
        refuses({ datasetGroup: "retail" }, `${where}:datasetGroup: expects ${accepts}, got "retail"`);
    });

    it("reads the committed stack files", () => {
        pulumi.runtime.setAllConfig(stackConfig("prod"));
        const args = readStackConfig(PROJECT);
        assert.equal(args.batch, true);
        assert.equal(args.protect, true);
        assert.deepEqual(args.tags, { environment: "prod" });
    });

    it("refuses a key the program does not have, listing the ones it has", () => {
        refuses(
            { bukcetName: "x" },
            `${where}:bukcetName: is not a setting of this program; the settings are dataDir, keyPrefix, batch, batchInputPrefix, ` +
                "batchOutputPrefix, bucketName, roleName, forceDestroy, protect, retainOnDelete, noncurrentVersionDays, tags, extraBucketPolicyStatements, " +
                "datasetTypes, schemas, headerOnlyAbove, datasetGroup, datasetImportTimeout",
        );
    });

    it("refuses a value of the wrong type, saying what the key accepts", () => {
        refuses({ batch: "yes" }, `${where}:batch: expects true or false, got "yes"`);
        refuses({ protect: 1 }, `${where}:protect: expects true or false, got "1"`);
        refuses({ noncurrentVersionDays: "30d" }, `${where}:noncurrentVersionDays: expects a whole number of days, got "30d"`);
        refuses({ tags: ["a"] }, `${where}:tags: expects a map of tag names to string values, got "[\\"a\\"]"`);
        refuses({ tags: { n: 1 } }, `${where}:tags: expects a map of tag names to string values, got "{\\"n\\":1}"`);
        refuses(
            { extraBucketPolicyStatements: { Sid: "X" } },
            `${where}:extraBucketPolicyStatements: expects a list of IAM policy statements (objects), got "{\\"Sid\\":\\"X\\"}"`,
        );
        refuses(
            { extraBucketPolicyStatements: "[oops" },
            `${where}:extraBucketPolicyStatements: expects a list of IAM policy statements (objects), got "[oops"`,
        );
    });
});
