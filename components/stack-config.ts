import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { DATASET_TYPES } from "../datacheck/rules/dataset-type";
import { parseSize } from "../datacheck/size";
import { unknownKeyProblem } from "./config-keys";
import { KMS_KEY_ACCEPTS, kmsKeyProblem } from "./kms-key";
import { ProviderSettingError, s3ReadingEnvironment } from "./provider-environment";
import type { PersonalizeDataBucketArgs } from "./personalize-data-bucket";
import type { ImportArgs } from "./personalize-datasets";

/**
 * Reads the stack's config (namespaced under the project name) into the component's arguments.
 * Every problem names the stack file and the key, says what values it accepts, and is raised
 * before any resource is declared.
 */

type Kind = "string" | "boolean" | "integer" | "size" | "string map" | "string list" | "statement list" | "kms key" | "dataset group";

/** The config keys, each the name of the component argument it sets (the gate checks `--set` against them). */
export const KEYS: Record<string, { kind: Kind; accepts: string }> = {
    dataSource: { kind: "string", accepts: '"local" (the CSV files of dataDir, uploaded) or "s3" (written into the bucket by a pipeline)' },
    dataDir: { kind: "string", accepts: "a folder path, relative to the project folder" },
    keyPrefix: { kind: "string", accepts: 'a folder such as "import"' },
    batch: { kind: "boolean", accepts: "true or false" },
    batchInputPrefix: { kind: "string", accepts: 'a folder such as "batch/input"' },
    batchOutputPrefix: { kind: "string", accepts: 'a folder such as "batch/output"' },
    batchInputDir: { kind: "string", accepts: "a folder path of batch input files (.json, .jsonl), relative to the project folder" },
    bucketName: { kind: "string", accepts: "an S3 bucket name" },
    roleName: { kind: "string", accepts: "an IAM role name" },
    forceDestroy: { kind: "boolean", accepts: "true or false" },
    protect: { kind: "boolean", accepts: "true or false" },
    retainOnDelete: { kind: "boolean", accepts: "true or false" },
    noncurrentVersionDays: { kind: "integer", accepts: "a whole number of days" },
    tags: { kind: "string map", accepts: "a map of tag names to string values" },
    extraBucketPolicyStatements: { kind: "statement list", accepts: "a list of IAM policy statements (objects)" },
    datasetTypes: { kind: "string map", accepts: `a map of CSV file names to ${DATASET_TYPES.join(", ")}` },
    schemas: { kind: "string map", accepts: `a map of ${DATASET_TYPES.join(", ")} to a schema file path, relative to the project folder` },
    s3Datasets: { kind: "string list", accepts: `a list of the datasets a pipeline writes (${DATASET_TYPES.join(", ")})` },
    dataWriters: { kind: "string list", accepts: "a list of IAM role ARNs (arn:aws:iam::123456789012:role/name)" },
    headerOnlyAbove: { kind: "size", accepts: 'a size such as "10GB", "500MB" or a number of bytes' },
    kmsKey: { kind: "kms key", accepts: KMS_KEY_ACCEPTS },
    datasetGroup: {
        kind: "dataset group",
        accepts: 'an object with a string name and an optional string domain, e.g. {"name": "retail"}',
    },
    datasetImportTimeout: { kind: "string", accepts: 'a duration such as "36h" or "90m"' },
    importAttempt: { kind: "integer", accepts: "a whole number, 1 or more (raise it by one to retry a failed import of unchanged data)" },
};

export class StackConfigError extends pulumi.RunError {
    /** `key` is a key of this program, or a provider's key with its namespace (`aws:assumeRoles`). */
    constructor(key: string, problem: string) {
        super(`${stackFile()}: config ${key.includes(":") ? key : `${pulumi.getProject()}:${key}`}: ${problem}`);
    }
}

export function stackFile(): string {
    return `Pulumi.${pulumi.getStack()}.yaml`;
}

function parse(key: string, raw: string): unknown {
    const { kind, accepts } = KEYS[key];
    const fail = (): never => {
        throw new StackConfigError(key, `expects ${accepts}, got ${JSON.stringify(raw)}`);
    };
    switch (kind) {
        case "string":
            return raw;
        case "boolean":
            return raw === "true" ? true : raw === "false" ? false : fail();
        case "integer":
            return /^\d+$/.test(raw) ? Number(raw) : fail();
        case "size":
            return parseSize(raw) ?? fail();
        case "string map": {
            const value = parseJson(raw) ?? fail();
            const ok =
                typeof value === "object" && !Array.isArray(value) && Object.values(value as object).every(v => typeof v === "string");
            return ok ? value : fail();
        }
        case "kms key": {
            const problem = kmsKeyProblem(raw);
            if (problem) throw new StackConfigError(key, problem);
            return raw;
        }
        case "string list": {
            const value = parseJson(raw) ?? fail();
            return Array.isArray(value) && value.every(v => typeof v === "string") ? value : fail();
        }
        case "statement list": {
            const value = parseJson(raw) ?? fail();
            const ok = Array.isArray(value) && value.every(v => typeof v === "object" && v !== null && !Array.isArray(v));
            return ok ? value : fail();
        }
        case "dataset group": {
            const value = parseJson(raw) ?? fail();
            const ok =
                typeof value === "object" &&
                !Array.isArray(value) &&
                typeof (value as { name?: unknown }).name === "string" &&
                ["string", "undefined"].includes(typeof (value as { domain?: unknown }).domain);
            return ok ? value : fail();
        }
    }
}

function parseJson(raw: string): unknown {
    try {
        return JSON.parse(raw);
    } catch {
        return undefined;
    }
}

/** The component's arguments from this stack's config; relative paths are taken from `projectDir`. */
export function readStackConfig(projectDir: string): PersonalizeDataBucketArgs & ImportArgs {
    const namespace = `${pulumi.getProject()}:`;
    const values: Record<string, unknown> = {};
    for (const [fullKey, raw] of Object.entries(pulumi.runtime.allConfig())) {
        const problem = unknownKeyProblem(fullKey, pulumi.getProject(), Object.keys(KEYS));
        if (!fullKey.startsWith(namespace)) {
            // Another namespace's key is its owner's to refuse; a likely typo is worth a warning.
            if (problem) pulumi.log.warn(`${stackFile()}: config ${fullKey}: ${problem}`);
            continue;
        }
        const key = fullKey.slice(namespace.length);
        if (problem) throw new StackConfigError(key, problem);
        values[key] = parse(key, raw);
    }
    const args = values as Partial<PersonalizeDataBucketArgs & ImportArgs>;
    const schemas =
        args.schemas && Object.fromEntries(Object.entries(args.schemas).map(([type, file]) => [type, path.resolve(projectDir, file)]));
    return {
        ...args,
        ...(schemas && { schemas }),
        ...(args.batchInputDir !== undefined && { batchInputDir: path.resolve(projectDir, args.batchInputDir) }),
        // Data written to S3 by a pipeline has no local folder; the component refuses dataDir with it.
        ...((args.dataDir !== undefined || args.dataSource !== "s3") && { dataDir: path.resolve(projectDir, args.dataDir ?? "data") }),
        // The program reads that data itself, as the aws provider would reach it.
        ...(args.dataSource === "s3" && { s3Environment: providerEnvironment() }),
    };
}

function providerEnvironment(): Record<string, string | undefined> {
    try {
        return s3ReadingEnvironment(pulumi.runtime.allConfig());
    } catch (err) {
        if (err instanceof ProviderSettingError) throw new StackConfigError(err.key, err.problem);
        throw err;
    }
}
