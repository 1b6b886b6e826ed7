import type { S3Client, S3ServiceException } from "@aws-sdk/client-s3";

/**
 * The S3 client of the checker, configured the way the AWS SDK for JavaScript v3 configures itself: credentials from
 * its default chain (environment, AWS_PROFILE and the shared files, SSO, web identity, container and instance roles),
 * the region from AWS_REGION or the profile, and an S3-compatible store from AWS_ENDPOINT_URL_S3 or AWS_ENDPOINT_URL.
 * Everything comes from the environment, which worker threads inherit: a worker opens an object from its s3:// name
 * alone and reaches it as this thread does.
 *
 * The SDK is loaded on first use only (about 200 ms): a check of local files never pays for it.
 */

/** An S3 location or object: `s3://bucket/key`. */
export interface S3Location {
    bucket: string;
    key: string;
}

export const isS3Uri = (name: string): boolean => name.startsWith("s3://");

/** `s3://bucket/key` (the key may be empty or end in "/"), or undefined for anything else. */
export function parseS3Uri(uri: string): S3Location | undefined {
    const match = /^s3:\/\/([^/]+)(?:\/(.*))?$/s.exec(uri);
    return match ? { bucket: match[1], key: match[2] ?? "" } : undefined;
}

export const s3Uri = ({ bucket, key }: S3Location): string => `s3://${bucket}/${key}`;

/**
 * A failure to read S3 that the user fixes outside the data (credentials, permissions, a bucket name), said in one
 * line that names the location and the fix.
 */
export class S3ReadError extends Error {
    constructor(
        message: string,
        /** S3's error code (NoSuchBucket, AccessDenied, …), or NoCredentials, Unreachable, NotAnObject. */
        readonly code: string,
    ) {
        super(message);
        this.name = "S3ReadError";
    }
}

/** The environment the client is made from: a new client when it changes (a program run sets aws:region, …). */
const CLIENT_ENVIRONMENT = [
    "AWS_REGION",
    "AWS_DEFAULT_REGION",
    "AWS_PROFILE",
    "AWS_ACCESS_KEY_ID",
    "AWS_SECRET_ACCESS_KEY",
    "AWS_SESSION_TOKEN",
    "AWS_SHARED_CREDENTIALS_FILE",
    "AWS_CONFIG_FILE",
    "AWS_ENDPOINT_URL",
    "AWS_ENDPOINT_URL_S3",
    "AWS_MAX_ATTEMPTS",
    "AWS_RETRY_MODE",
    "AWS_USE_FIPS_ENDPOINT",
    "AWS_USE_DUALSTACK_ENDPOINT",
    "AWS_EC2_METADATA_SERVICE_ENDPOINT",
    "AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE",
    "AWS_EC2_METADATA_DISABLED",
];

let cached: { environment: string; client: Promise<S3Client> } | undefined;

/** Where requests go: the configured endpoint of an S3-compatible store, else AWS. */
export function s3Endpoint(): string | undefined {
    return process.env.AWS_ENDPOINT_URL_S3 || process.env.AWS_ENDPOINT_URL || undefined;
}

export function s3Client(): Promise<S3Client> {
    const environment = JSON.stringify(CLIENT_ENVIRONMENT.map(name => process.env[name]));
    if (cached?.environment !== environment) cached = { environment, client: makeClient() };
    return cached.client;
}

async function makeClient(): Promise<S3Client> {
    const sdk = require("@aws-sdk/client-s3") as typeof import("@aws-sdk/client-s3");
    // S3-compatible stores are reached by path (http://host:port/bucket/key): they serve no bucket host names.
    const settings = {
        forcePathStyle: s3Endpoint() !== undefined,
        // A bucket in another region than the configured one answers with a redirect the SDK then follows.
        followRegionRedirects: true,
        // Ranged reads can't be checked against a whole-object checksum; ListObjectsV2 and GetObject need none.
        responseChecksumValidation: "WHEN_REQUIRED" as const,
        requestChecksumCalculation: "WHEN_REQUIRED" as const,
    };
    const client = new sdk.S3Client(settings);
    try {
        await client.config.region();
        return client;
    } catch {
        // No region anywhere: as the AWS CLI does for S3, start in us-east-1 and follow the bucket's redirect.
        client.destroy();
        return new sdk.S3Client({ ...settings, region: "us-east-1" });
    }
}

/** What `$metadata` and an SDK error tell about a failed request. */
type SdkError = Partial<S3ServiceException> & { code?: string; Code?: string };

/**
 * An SDK error as one line naming the location (`s3://bucket/key`) and the fix. Errors that are not about access
 * (a bug, a stream cut off) come back unchanged.
 */
export function describeS3Error(error: unknown, location: string, action: string): Error {
    const e = error as SdkError;
    const name = e.name ?? "";
    const status = e.$metadata?.httpStatusCode;
    const bucket = parseS3Uri(location)?.bucket ?? location;
    if (name === "CredentialsProviderError")
        return new S3ReadError(
            `${location}: no AWS credentials: the AWS SDK found none in the environment (AWS_ACCESS_KEY_ID), the shared files ` +
                "(AWS_PROFILE, ~/.aws/credentials, ~/.aws/config) or an instance role; sign in (aws sso login, aws configure) or set AWS_PROFILE",
            "NoCredentials",
        );
    if (name === "AccessDenied" || (status === 403 && !["InvalidAccessKeyId", "SignatureDoesNotMatch", "ExpiredToken"].includes(name)))
        return new S3ReadError(
            `${location}: access denied to ${action}: the credentials in use need ${action} on ${
                action === "s3:ListBucket" ? `bucket ${bucket}` : "the object"
            } (an IAM policy of theirs, and the bucket policy, must allow it)`,
            "AccessDenied",
        );
    if (["InvalidAccessKeyId", "SignatureDoesNotMatch", "ExpiredToken", "TokenRefreshRequired"].includes(name))
        return new S3ReadError(
            `${location}: S3 rejected the credentials (${name}): the access key is unknown, wrong or expired; sign in again or check AWS_PROFILE`,
            name,
        );
    if (name === "NoSuchBucket")
        return new S3ReadError(
            `${location}: no bucket named "${bucket}" (NoSuchBucket): check the name, and that your credentials are for its account and partition`,
            name,
        );
    if (name === "NoSuchKey")
        return new S3ReadError(
            `${location}: the object was deleted while it was read (NoSuchKey); check again once the writer is done`,
            name,
        );
    if (name === "PreconditionFailed" || status === 412)
        return new S3ReadError(
            `${location}: the object changed while it was read (its ETag changed); check again once the writer is done`,
            "PreconditionFailed",
        );
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "ECONNREFUSED" || code === "ENOTFOUND" || code === "ETIMEDOUT" || code === "ECONNRESET" || code === "EAI_AGAIN")
        return new S3ReadError(
            `${location}: can't reach S3${s3Endpoint() ? ` at ${s3Endpoint()}` : ""} (${code}); check the network and endpoint`,
            "Unreachable",
        );
    return error instanceof Error ? error : new Error(String(error));
}
