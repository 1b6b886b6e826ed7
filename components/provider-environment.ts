import * as os from "node:os";
import * as path from "node:path";

/**
 * With `dataSource: s3` the program lists and checks the data folders itself, with the AWS SDK for JavaScript, before
 * it declares anything; it must reach them as the aws provider reaches the bucket. The provider's settings (the stack
 * config keys `aws:<name>`) are translated here into the environment variables the SDK reads, which the checker's
 * worker threads inherit too. A setting that changes how S3 is reached and that the SDK can't be told through its
 * environment is refused, naming it; none is silently ignored. Names and meanings: the Pulumi AWS provider's
 * configuration reference (https://www.pulumi.com/registry/packages/aws/installation-configuration/) and the AWS
 * SDKs' environment variables (https://docs.aws.amazon.com/sdkref/latest/guide/settings-reference.html).
 */

/** A provider setting the program can't follow: the key and why, with what to do instead. */
export class ProviderSettingError extends Error {
    constructor(
        readonly key: string,
        readonly problem: string,
    ) {
        super(`${key}: ${problem}`);
        this.name = "ProviderSettingError";
    }
}

/** Settings that don't change which S3 requests are sent, with whose credentials, or where. */
const NO_EFFECT_ON_READING = new Set([
    "allowedAccountIds",
    "forbiddenAccountIds",
    "defaultTags",
    "ignoreTags",
    "skipCredentialsValidation",
    "skipRegionValidation",
    "skipRequestingAccountId",
    "tagPolicyCompliance",
    "tokenBucketRateLimiterCapacity",
    "userAgents",
    // Path-style and virtual-hosted requests, and the us-east-1 global or regional endpoint, reach the same bucket.
    "s3UsePathStyle",
    "s3UsEast1RegionalEndpoint",
    // Used only to assume a role, which is refused below.
    "stsRegion",
]);

const REFUSED: Record<string, string> = {
    assumeRoles:
        "the program reads the data folders with the AWS SDK, which can't be told to assume a role through its environment; " +
        "put the role in a profile of ~/.aws/config (role_arn and source_profile) and set aws:profile to it, which both the provider and the program follow",
    assumeRole: "see aws:assumeRoles: put the role in a profile (role_arn, source_profile) and set aws:profile",
    assumeRoleWithWebIdentity:
        "the program reads the data folders with the AWS SDK; give it the role through AWS_ROLE_ARN and AWS_WEB_IDENTITY_TOKEN_FILE " +
        "(or a profile with role_arn and web_identity_token_file, named by aws:profile) instead",
    customCaBundle:
        "the program's HTTPS client can't take another CA bundle at run time; start Pulumi with NODE_EXTRA_CA_CERTS=<bundle> and remove it",
    httpProxy:
        "the program's HTTP client doesn't use a proxy; reach S3 without one (or an S3 VPC endpoint), or check the data outside the program",
    httpsProxy:
        "the program's HTTP client doesn't use a proxy; reach S3 without one (or an S3 VPC endpoint), or check the data outside the program",
    noProxy: "the program's HTTP client doesn't use a proxy; remove it with httpProxy and httpsProxy",
};

/** `~/…` as the provider reads file paths. */
const expandHome = (file: string) => (file.startsWith("~/") ? path.join(os.homedir(), file.slice(2)) : file);

function oneFile(key: string, raw: string): string {
    const files = JSON.parse(raw) as string[];
    if (!Array.isArray(files) || files.length !== 1)
        throw new ProviderSettingError(
            `aws:${key}`,
            "the AWS SDK the program reads the data folders with takes one such file; keep one, or put the profile you need in it",
        );
    return expandHome(files[0]);
}

/**
 * The environment under which the data folders are read: for each `aws:` setting, the SDK variable that means the
 * same; undefined removes a variable (static keys in the config win over a profile in the environment, as in the
 * provider). Throws ProviderSettingError for a setting the program can't follow, or one it doesn't know.
 */
export function s3ReadingEnvironment(config: Record<string, string>): Record<string, string | undefined> {
    const env: Record<string, string | undefined> = {};
    for (const [fullKey, raw] of Object.entries(config)) {
        if (!fullKey.startsWith("aws:")) continue;
        const key = fullKey.slice("aws:".length);
        if (NO_EFFECT_ON_READING.has(key)) continue;
        if (REFUSED[key] !== undefined) throw new ProviderSettingError(fullKey, REFUSED[key]);
        switch (key) {
            case "region":
                env.AWS_REGION = raw;
                break;
            case "profile":
                // The profile's credentials, not keys lying in the environment (the SDK warns and prefers the profile).
                Object.assign(env, {
                    AWS_PROFILE: raw,
                    AWS_ACCESS_KEY_ID: undefined,
                    AWS_SECRET_ACCESS_KEY: undefined,
                    AWS_SESSION_TOKEN: undefined,
                });
                break;
            case "accessKey":
                env.AWS_ACCESS_KEY_ID = raw;
                env.AWS_PROFILE = undefined;
                break;
            case "secretKey":
                env.AWS_SECRET_ACCESS_KEY = raw;
                break;
            case "token":
                env.AWS_SESSION_TOKEN = raw;
                break;
            case "sharedCredentialsFiles":
                env.AWS_SHARED_CREDENTIALS_FILE = oneFile(key, raw);
                break;
            case "sharedConfigFiles":
                env.AWS_CONFIG_FILE = oneFile(key, raw);
                break;
            case "endpoints": {
                // A list of maps of service to URL; the S3 one (named s3, or s3api) is where the data is.
                const entries = JSON.parse(raw) as Array<Record<string, string>>;
                const s3 = entries.map(e => e.s3 ?? e.s3api).find(url => typeof url === "string" && url !== "");
                if (s3) env.AWS_ENDPOINT_URL_S3 = s3;
                break;
            }
            case "maxRetries":
                // The provider counts retries, the SDK attempts (the first one included).
                env.AWS_MAX_ATTEMPTS = String(Number(raw) + 1);
                break;
            case "retryMode":
                env.AWS_RETRY_MODE = raw;
                break;
            case "useFipsEndpoint":
                env.AWS_USE_FIPS_ENDPOINT = raw;
                break;
            case "useDualstackEndpoint":
                env.AWS_USE_DUALSTACK_ENDPOINT = raw;
                break;
            case "ec2MetadataServiceEndpoint":
                env.AWS_EC2_METADATA_SERVICE_ENDPOINT = raw;
                break;
            case "ec2MetadataServiceEndpointMode":
                env.AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE = raw;
                break;
            case "skipMetadataApiCheck":
                if (raw === "true") env.AWS_EC2_METADATA_DISABLED = "true";
                break;
            case "insecure":
                if (raw === "true")
                    throw new ProviderSettingError(
                        fullKey,
                        "the program verifies the TLS certificates of S3; remove it, or check the data outside the program",
                    );
                break;
            default:
                throw new ProviderSettingError(
                    fullKey,
                    "the program doesn't know whether this provider setting changes how S3 is reached, and reads the data folders itself " +
                        "(dataSource: s3); remove it, or check the data outside the program",
                );
        }
    }
    return env;
}

/** Sets `env` in this process's environment (undefined removes a variable); returns what puts the old values back. */
export function setEnvironment(env: Record<string, string | undefined>): () => void {
    const saved = Object.fromEntries(Object.keys(env).map(name => [name, process.env[name]]));
    const apply = (values: Record<string, string | undefined>) => {
        for (const [name, value] of Object.entries(values)) {
            if (value === undefined) delete process.env[name];
            else process.env[name] = value;
        }
    };
    apply(env);
    return () => apply(saved);
}

/** Runs `read` with `env` set (worker threads started meanwhile inherit it), then restores the environment. */
export async function withEnvironment<T>(env: Record<string, string | undefined>, read: () => Promise<T>): Promise<T> {
    const restore = setEnvironment(env);
    try {
        return await read();
    } finally {
        restore();
    }
}
