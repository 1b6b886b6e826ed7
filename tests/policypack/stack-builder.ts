import type { StackValidationPolicy } from "@pulumi/policy";
import { runStackPolicies, type PackConfigFile, type PolicyReport } from "../../offline/policy-engine";
import { UNKNOWN, type RecordedResource } from "../../offline/recorder";

/**
 * Builds stacks of resources as the engine hands them to a policy pack (wire-format inputs, where
 * UNKNOWN stands for a value not known during preview), to run policies on hand-made cases.
 */
export class StackBuilder {
    readonly resources: RecordedResource[] = [];

    add(type: string, name: string, inputs: Record<string, unknown>): string {
        const urn = `urn:pulumi:test::project::${type}::${name}`;
        this.resources.push({
            type,
            name,
            urn,
            parent: "",
            custom: true,
            protect: false,
            retainOnDelete: false,
            dependencies: [],
            inputs: inputs as Record<string, any>,
        });
        return urn;
    }

    bucket(name: string, tags: Record<string, unknown> | typeof UNKNOWN = {}, extra: Record<string, unknown> = {}): string {
        return this.add("aws:s3/bucket:Bucket", name, { bucket: name, tags, ...extra });
    }

    /** A bucket policy; a document that is not a string is sent as given (an object, or anything at all). */
    bucketPolicy(bucket: string, policy: unknown, name = `${bucket}-policy`): string {
        return this.add("aws:s3/bucketPolicy:BucketPolicy", name, {
            bucket,
            policy: typeof policy === "string" ? policy : (policy as object),
        });
    }

    publicAccessBlock(
        bucket: string,
        settings: Partial<Record<"blockPublicAcls" | "blockPublicPolicy" | "ignorePublicAcls" | "restrictPublicBuckets", boolean>> = {},
    ): string {
        return this.add("aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock", `${bucket}-pab`, {
            bucket,
            blockPublicAcls: true,
            blockPublicPolicy: true,
            ignorePublicAcls: true,
            restrictPublicBuckets: true,
            ...settings,
        });
    }

    object(bucket: string, key: string): string {
        return this.add("aws:s3/bucketObject:BucketObject", `${bucket}-${key}`, { bucket, key, contentType: "text/csv" });
    }

    role(name: string, assumeRolePolicy: unknown, tags: Record<string, string>, extra: Record<string, unknown> = {}): string {
        return this.add("aws:iam/role:Role", name, { name, assumeRolePolicy, tags, ...extra });
    }

    rolePolicy(role: string, policy: unknown, name = `${role}-access`): string {
        return this.add("aws:iam/rolePolicy:RolePolicy", name, { role, name, policy });
    }

    run(policies: StackValidationPolicy[], config: PackConfigFile = {}): Promise<PolicyReport> {
        return runStackPolicies(policies, this.resources, config);
    }
}

export const ACCOUNT = "123456789012";

/** The tags the component gives its service role: the bucket it serves, and the account and region the provider reports. */
export function serviceRoleTags(bucket: string, account = ACCOUNT, region = "eu-west-1"): Record<string, string> {
    return { "personalize-bucket": bucket, "personalize-account": account, "personalize-region": region };
}

/** The AWS guide's bucket policy (non-batch), for a bucket. */
export function guideBucketPolicy(bucket: string, actions = ["s3:GetObject", "s3:ListBucket"]) {
    return {
        Version: "2012-10-17",
        Id: "PersonalizeS3BucketAccessPolicy",
        Statement: [
            {
                Sid: "PersonalizeS3BucketAccessPolicy",
                Effect: "Allow",
                Principal: { Service: "personalize.amazonaws.com" },
                Action: actions,
                Resource: [`arn:aws:s3:::${bucket}`, `arn:aws:s3:::${bucket}/*`],
            },
        ],
    };
}

/** The component's trust policy shape, for a role. */
export function personalizeTrust(account = ACCOUNT) {
    return {
        Version: "2012-10-17",
        Statement: [
            {
                Effect: "Allow",
                Principal: { Service: "personalize.amazonaws.com" },
                Action: "sts:AssumeRole",
                Condition: {
                    StringEquals: { "aws:SourceAccount": account },
                    StringLike: { "aws:SourceArn": `arn:aws:personalize:eu-west-1:${account}:*` },
                },
            },
        ],
    };
}

/**
 * A complete, valid Personalize stack (bucket, public access block, bucket policy, role and its
 * policy), tagged as the component tags it. Batch stacks grant PutObject in the batch output folder only, as the component does.
 */
export function validStack(bucket = "data-bucket", workflow: "import" | "batch" = "import"): StackBuilder {
    const stack = new StackBuilder();
    const batch = workflow === "batch";
    stack.bucket(bucket, { "personalize-workflow": workflow, ...(batch && { "personalize-batch-output": "batch/output/" }) });
    stack.publicAccessBlock(bucket);
    stack.object(bucket, "import/interactions.csv");
    const policy = guideBucketPolicy(bucket);
    const putOutput = {
        Sid: "PersonalizePutBatchOutput",
        Effect: "Allow",
        Principal: { Service: "personalize.amazonaws.com" },
        Action: "s3:PutObject",
        Resource: `arn:aws:s3:::${bucket}/batch/output/*`,
    };
    const statements: Array<Record<string, unknown>> = [...policy.Statement, ...(batch ? [putOutput] : [])];
    stack.bucketPolicy(bucket, JSON.stringify({ ...policy, Statement: statements }));
    stack.role("personalize-role", JSON.stringify(personalizeTrust()), serviceRoleTags(bucket));
    const grants = statements.map(({ Principal: _principal, ...grant }) => grant);
    stack.rolePolicy("personalize-role", JSON.stringify({ Version: "2012-10-17", Statement: grants }));
    return stack;
}
