import type { PolicyConfigSchema } from "@pulumi/policy";
import { WORKFLOWS, type Workflow } from "./contract";
import { ROLE_TRUST_POLICY_DEFAULT_CHARACTERS, ROLE_TRUST_POLICY_MAX_CHARACTERS } from "../aws/size-limits";

/** Settings every policy of the pack takes (CrossGuard config is per policy). */
export interface PackConfig {
    /** More Personalize buckets, by name, with their workflow: for buckets that don't carry the tag. */
    buckets: Record<string, Workflow>;
    /** The partition ARNs are built in: `aws`, `aws-cn` or `aws-us-gov`. */
    partition: string;
    /** The stack's AWS account, where the stack itself doesn't say (see identity.ts). */
    account?: string;
    /** The stack's AWS region, where the stack itself doesn't say. */
    region?: string;
    /** The account's IAM quota "Role trust policy length", in characters (see aws/size-limits.ts). */
    roleTrustPolicyLength: number;
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
        account: {
            type: "string",
            description:
                "The stack's 12-digit AWS account ID, where the stack doesn't say it (no aws provider allowedAccountIds, no personalize-account tag, no ARN naming it outside the document judged).",
            pattern: "^[0-9]{12}$",
        },
        region: {
            type: "string",
            description:
                "The stack's AWS region (e.g. eu-west-1), where the stack doesn't say it (no aws provider region, no personalize-region tag, no regional ARN outside the document judged).",
            pattern: "^[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-[0-9]+$",
        },
        roleTrustPolicyLength: {
            type: "integer",
            description:
                'The account\'s IAM quota "Role trust policy length", in characters without whitespace: 2048 unless raised in Service Quotas (at most 4096).',
            minimum: ROLE_TRUST_POLICY_DEFAULT_CHARACTERS,
            maximum: ROLE_TRUST_POLICY_MAX_CHARACTERS,
            default: ROLE_TRUST_POLICY_DEFAULT_CHARACTERS,
        },
    },
};

/** The config with defaults: the CLI fills them from the schema, harnesses may not. */
export function packConfig(args: { getConfig<T extends object>(): T }): PackConfig {
    const config = args.getConfig<Partial<PackConfig>>();
    return {
        buckets: config.buckets ?? {},
        partition: config.partition ?? "aws",
        ...(config.account !== undefined && { account: config.account }),
        ...(config.region !== undefined && { region: config.region }),
        roleTrustPolicyLength: config.roleTrustPolicyLength ?? ROLE_TRUST_POLICY_DEFAULT_CHARACTERS,
    };
}
