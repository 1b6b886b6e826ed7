/**
 * The tags by which the policy pack recognises a Personalize data bucket and its service role.
 * The component writes them; any other bucket can opt in to the same checks by carrying them.
 */

/** On a bucket: `import` or `batch`, the Personalize workflows it serves. */
export const WORKFLOW_TAG = "personalize-workflow";

/** On a batch bucket: the key prefix batch jobs write to, ending in "/". */
export const BATCH_OUTPUT_TAG = "personalize-batch-output";

/**
 * On a bucket: the key prefix Personalize imports from, ending in "/" (e.g. `import/`), for buckets
 * whose objects the stack doesn't declare; without it (and without declared objects) the whole
 * bucket is the data Personalize must be able to read.
 */
export const DATA_PREFIX_TAG = "personalize-data-prefix";

/** On the service role: the name of the bucket it is granted. */
export const ROLE_BUCKET_TAG = "personalize-bucket";

/**
 * What a pipeline that writes the data needs, and all a data writer's grant in a Personalize bucket's policy may
 * give: s3:PutObject, and s3:AbortMultipartUpload so that a failed multipart upload can clean up its parts (S3 User
 * Guide, "Multipart upload API and permissions": https://docs.aws.amazon.com/AmazonS3/latest/userguide/mpuoverview.html#mpuAndPermissions),
 * under the import folder.
 */
export const DATA_WRITER_ACTIONS = ["s3:PutObject", "s3:AbortMultipartUpload"];

/**
 * The Sid of the bucket-policy statement that grants the data writers (a pipeline's roles) DATA_WRITER_ACTIONS: its
 * AWS principals are the bucket's data writers, and every Allow to them in the bucket's policy is judged as theirs.
 */
export const DATA_WRITERS_SID = "DataWritersPutObject";

/**
 * On the service role: the AWS account and region the stack deploys to, as the AWS provider itself
 * reports them (`getCallerIdentity`, `getRegion`), which are known in preview. The pack takes them
 * as the stack's own when neither its config nor the provider's settings say (stack/identity.ts),
 * so that a document never has to vouch for the account it is judged against.
 */
export const ACCOUNT_TAG = "personalize-account";
export const REGION_TAG = "personalize-region";

export const WORKFLOWS = ["import", "batch"] as const;
export type Workflow = (typeof WORKFLOWS)[number];

export const RESERVED_TAGS = [WORKFLOW_TAG, BATCH_OUTPUT_TAG, DATA_PREFIX_TAG, ROLE_BUCKET_TAG, ACCOUNT_TAG, REGION_TAG];
