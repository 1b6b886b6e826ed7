// The parts of s3rver (which ships no types) that the tests use.
declare module "s3rver" {
    interface RequestContext {
        method: string;
        url: string;
        get(header: string): string;
        res: import("node:http").ServerResponse;
    }
    type Middleware = (ctx: RequestContext, next: () => Promise<void>) => Promise<void>;
    class S3rver {
        constructor(options: { address: string; port: number; silent: boolean; directory: string });
        /** Koa's middleware stack, composed when the server starts listening. */
        middleware: Middleware[];
        run(): Promise<{ address: string; port: number }>;
        close(): Promise<void>;
    }
    export = S3rver;
}

declare module "s3rver/lib/models/error" {
    /** An S3 error, which s3rver answers with its HTTP status and S3's XML body. */
    class S3Error extends Error {
        constructor(code: string, message: string);
    }
    export = S3Error;
}
