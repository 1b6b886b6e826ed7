import { createHash } from "node:crypto";
import * as pulumi from "@pulumi/pulumi";

/** The AWS account, region and partition the mocked provider reports. */
export interface MockAccount {
    accountId: string;
    region: string;
    partition: string;
}

export const DEFAULT_ACCOUNT: MockAccount = { accountId: "123456789012", region: "eu-west-1", partition: "aws" };

/** What AWS computes for a resource on create, keyed by type token. */
function computedState(
    type: string,
    name: string,
    inputs: Record<string, any>,
    account: MockAccount,
): { id: string; state: Record<string, unknown> } {
    const { accountId, partition, region } = account;
    switch (type) {
        case "aws:s3/bucket:Bucket":
            return {
                id: inputs.bucket,
                state: { arn: `arn:${partition}:s3:::${inputs.bucket}`, bucketDomainName: `${inputs.bucket}.s3.amazonaws.com` },
            };
        case "aws:iam/role:Role":
            return { id: inputs.name, state: { arn: `arn:${partition}:iam::${accountId}:role/${inputs.name}`, uniqueId: "AROAEXAMPLEID" } };
        case "aws:kms/key:Key": {
            // A key ID is a random UUID; here one derived from the resource name, so runs repeat.
            const hex = createHash("sha256").update(name).digest("hex");
            const keyId = [hex.slice(0, 8), hex.slice(8, 12), hex.slice(12, 16), hex.slice(16, 20), hex.slice(20, 32)].join("-");
            return { id: keyId, state: { keyId, arn: `arn:${partition}:kms:${region}:${accountId}:key/${keyId}` } };
        }
        case "aws:s3/bucketObject:BucketObject":
            return { id: inputs.key, state: { etag: "0123456789abcdef0123456789abcdef", versionId: "v1" } };
        // aws-native (Cloud Control) resources: the id is the primary identifier, here the ARN.
        case "aws-native:personalize:DatasetGroup": {
            const arn = personalizeArn(account, `dataset-group/${inputs.name}`);
            return { id: arn, state: { datasetGroupArn: arn } };
        }
        case "aws-native:personalize:Schema": {
            const arn = personalizeArn(account, `schema/${inputs.name}`);
            return { id: arn, state: { schemaArn: arn } };
        }
        case "aws-native:personalize:Dataset": {
            const group = String(inputs.datasetGroupArn).split("/").pop();
            const arn = personalizeArn(account, `dataset/${group}/${String(inputs.datasetType).toUpperCase()}`);
            const job = inputs.datasetImportJob && {
                ...inputs.datasetImportJob,
                datasetArn: arn,
                datasetImportJobArn: personalizeArn(account, `dataset-import-job/${inputs.datasetImportJob.jobName}`),
            };
            return { id: arn, state: { datasetArn: arn, ...(job && { datasetImportJob: job }) } };
        }
        default:
            return { id: `${inputs.bucket ?? inputs.name ?? type}-id`, state: {} };
    }
}

function personalizeArn({ partition, region, accountId }: MockAccount, resource: string): string {
    return `arn:${partition}:personalize:${region}:${accountId}:${resource}`;
}

/**
 * Mocks that behave like the engine with the AWS provider: in an update, resources get the ids
 * and attributes AWS computes; in a preview they get neither, so those outputs are unknown, as in
 * a real `pulumi preview` of a new stack.
 */
export function awsMocks(account: MockAccount, preview: boolean): pulumi.runtime.Mocks {
    return {
        newResource(args) {
            if (preview) return { id: undefined, state: args.inputs };
            const computed = computedState(args.type, args.name, args.inputs, account);
            return { id: computed.id, state: { ...args.inputs, ...computed.state } };
        },
        call(args) {
            switch (args.token) {
                case "aws:index/getCallerIdentity:getCallerIdentity":
                    return {
                        id: account.accountId,
                        accountId: account.accountId,
                        arn: `arn:${account.partition}:iam::${account.accountId}:user/ci`,
                        userId: "AIDAEXAMPLEID",
                    };
                case "aws:index/getRegion:getRegion":
                    return { id: account.region, region: account.region, name: account.region, description: account.region };
                case "aws:index/getPartition:getPartition":
                    return {
                        id: account.partition,
                        partition: account.partition,
                        dnsSuffix: account.partition === "aws-cn" ? "amazonaws.com.cn" : "amazonaws.com",
                        reverseDnsPrefix: "com.amazonaws",
                    };
                default:
                    throw new Error(`the mocks do not answer ${args.token}`);
            }
        },
    };
}
