import type { PolicyConfigSchema } from "@pulumi/policy";
import { WORKFLOWS, type Workflow } from "./contract";

/** Settings every policy of the pack takes (CrossGuard config is per policy). */
export interface PackConfig {
    /** More Personalize buckets, by name, with their workflow: for buckets that don't carry the tag. */
    buckets: Record<string, Workflow>;
    /** The partition ARNs are built in: `aws`, `aws-cn` or `aws-us-gov`. */
    partition: string;
}

export const PARTITIONS = ["aws", "aws-cn", "aws-us-gov"];

export const PACK_CONFIG_SCHEMA: PolicyConfigSchema = {
    properties: {
        buckets: {
            type: "object",
            description: "Personalize buckets that don't carry the personalize-workflow tag: bucket name to import or batch.",
            additionalProperties: { type: "string", enum: [...WORKFLOWS] },
            default: {},
        },
        partition: {
            type: "string",
            description: "The AWS partition of the stack's account.",
            enum: PARTITIONS,
            default: "aws",
        },
    },
};

/** The config with defaults: the CLI fills them from the schema, harnesses may not. */
export function packConfig(args: { getConfig<T extends object>(): T }): PackConfig {
    const config = args.getConfig<Partial<PackConfig>>();
    return { buckets: config.buckets ?? {}, partition: config.partition ?? "aws" };
}
