import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { SHARED_RUNS_ENV } from "../../offline/program";

/**
 * Mocha's global fixtures (run once, in the main process, before the test files' processes start):
 * a folder where those processes share program runs, removed at the end.
 */
export function mochaGlobalSetup(): void {
    process.env[SHARED_RUNS_ENV] = fs.mkdtempSync(path.join(os.tmpdir(), "personalize-program-runs-"));
    // The AWS SDK's notice that its releases after the first week of January 2027 need Node 22, printed by every
    // process that reads S3: the README says why the SDK is pinned.
    process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = "true";
}

export function mochaGlobalTeardown(): void {
    fs.rmSync(process.env[SHARED_RUNS_ENV]!, { recursive: true, force: true });
}
