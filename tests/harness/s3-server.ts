import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { CreateBucketCommand, DeleteObjectCommand, PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import S3rver = require("s3rver");
import { setEnvironment } from "../../components/provider-environment";
// s3rver's own error type, so that a refusal below is answered in S3's XML error format by s3rver itself.
import S3Error = require("s3rver/lib/models/error");

/** The access key s3rver knows (its built-in account), and one it answers AccessDenied to (see `start`). */
export const ACCESS_KEY = "S3RVER";
export const DENIED_ACCESS_KEY = "DENIEDKEY";

/**
 * A real S3 API over HTTP for the tests: s3rver (an S3-compatible server from npm, storing objects in a temporary
 * folder) on a loopback port the system picks, reached by the AWS SDK through AWS_ENDPOINT_URL_S3 with path-style
 * addressing, as a user points the checker at an S3-compatible store. Started and stopped by the tests themselves.
 */
/** A request the server answered: method, path (with the query), and the Range header of a GET. */
export interface RecordedRequest {
    method: string;
    url: string;
    range?: string;
}

export class S3TestServer {
    /** Every request since `start` (or the last `forgetRequests`), in arrival order. */
    requests: RecordedRequest[] = [];
    /** The most object GETs that were in flight at once. */
    maxConcurrentGets = 0;
    private inFlightGets = 0;

    private constructor(
        private readonly server: S3rver,
        private readonly dir: string,
        readonly endpoint: string,
    ) {}

    /**
     * Starts a server. s3rver doesn't evaluate policies, and its only AccessDenied answers are to malformed or
     * expired signatures, which the SDK never sends; so one rule is put in front of it: a request signed with
     * DENIED_ACCESS_KEY is refused with S3's AccessDenied error (HTTP 403, the XML S3 sends), as S3 refuses a caller
     * whose policies don't allow the action.
     */
    static async start(): Promise<S3TestServer> {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "s3rver-"));
        const server = new S3rver({ address: "127.0.0.1", port: 0, silent: true, directory: dir });
        const recorder: { test?: S3TestServer } = {};
        server.middleware.unshift(async (ctx, next) => {
            if (/Credential=DENIEDKEY\//.test(ctx.get("authorization"))) throw new S3Error("AccessDenied", "Access Denied");
            const test = recorder.test!;
            const range = ctx.get("range") || undefined;
            test.requests.push({ method: ctx.method, url: ctx.url, ...(range && { range }) });
            const get = ctx.method === "GET" && range !== undefined;
            if (get) {
                test.maxConcurrentGets = Math.max(test.maxConcurrentGets, ++test.inFlightGets);
                // Koa streams the body after the middleware returns: the GET ends when its response does.
                ctx.res.once("close", () => test.inFlightGets--);
            }
            await next();
        });
        const { port } = (await server.run()) as { port: number };
        recorder.test = new S3TestServer(server, dir, `http://127.0.0.1:${port}`);
        return recorder.test;
    }

    forgetRequests(): void {
        this.requests = [];
        this.maxConcurrentGets = 0;
    }

    /**
     * The environment that points the SDK at this server: its endpoint, s3rver's credentials, a region, and no
     * instance metadata lookup (the SDK's default chain would otherwise try 169.254.169.254 when credentials are
     * missing). The SDK's Node 20 notice is off: the README says why the SDK is pinned.
     */
    env(accessKey = ACCESS_KEY): Record<string, string> {
        return {
            AWS_ENDPOINT_URL_S3: this.endpoint,
            AWS_ACCESS_KEY_ID: accessKey,
            AWS_SECRET_ACCESS_KEY: "S3RVER",
            AWS_REGION: "eu-west-1",
            AWS_EC2_METADATA_DISABLED: "true",
            AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true",
        };
    }

    /** Sets `env()` in this process until the returned function restores what was there. */
    useInProcess(env: Record<string, string | undefined> = this.env()): () => void {
        return setEnvironment(env);
    }

    /** A client of this server for setting up buckets and objects. */
    client(): S3Client {
        return new S3Client({
            endpoint: this.endpoint,
            forcePathStyle: true,
            region: "eu-west-1",
            credentials: { accessKeyId: ACCESS_KEY, secretAccessKey: "S3RVER" },
            requestChecksumCalculation: "WHEN_REQUIRED",
        });
    }

    async createBucket(bucket: string): Promise<void> {
        await this.client().send(new CreateBucketCommand({ Bucket: bucket }));
    }

    async put(bucket: string, key: string, body: string | Buffer): Promise<void> {
        const bytes = Buffer.from(body);
        await this.client().send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: bytes, ContentLength: bytes.length }));
    }

    async delete(bucket: string, key: string): Promise<void> {
        await this.client().send(new DeleteObjectCommand({ Bucket: bucket, Key: key }));
    }

    async stop(): Promise<void> {
        await this.server.close();
        fs.rmSync(this.dir, { recursive: true, force: true });
    }
}
