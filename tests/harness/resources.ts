import * as assert from "node:assert/strict";
import type { RecordedResource } from "../../offline/recorder";

export const TYPES = {
    stack: "pulumi:pulumi:Stack",
    awsProvider: "pulumi:providers:aws",
    component: "personalize-data-bucket:index:PersonalizeDataBucket",
    bucket: "aws:s3/bucket:Bucket",
    publicAccessBlock: "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock",
    ownership: "aws:s3/bucketOwnershipControls:BucketOwnershipControls",
    encryption: "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
    versioning: "aws:s3/bucketVersioning:BucketVersioning",
    lifecycle: "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration",
    object: "aws:s3/bucketObject:BucketObject",
    role: "aws:iam/role:Role",
    rolePolicy: "aws:iam/rolePolicy:RolePolicy",
    bucketPolicy: "aws:s3/bucketPolicy:BucketPolicy",
} as const;

export function ofType(resources: RecordedResource[], type: string): RecordedResource[] {
    return resources.filter(r => r.type === type);
}

/** The one resource of a type; fails the test if there are none or several. */
export function single(resources: RecordedResource[], type: string): RecordedResource {
    const found = ofType(resources, type);
    assert.equal(found.length, 1, `expected one ${type}, found ${found.length}`);
    return found[0];
}

/** A policy document input, parsed: the JSON string the provider sends to AWS. */
export function policyOf(resource: RecordedResource, input = "policy"): any {
    const value = resource.inputs[input];
    assert.equal(typeof value, "string", `${resource.name}.${input} should be a JSON string, got ${JSON.stringify(value)}`);
    return JSON.parse(value);
}
