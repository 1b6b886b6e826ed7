import { DEFAULT_ACCOUNT } from "../../offline/aws-mocks";
import { startRecording } from "../../offline/recorder";

export const UNIT_PROJECT = "personalize-data-bucket";
export const UNIT_STACK = "unit";

let recorder: ReturnType<typeof startRecording> | undefined;

/**
 * The mocked runtime shared by the specs that declare resources in the test process itself.
 * Mocks can be set once per process, so every such spec uses this one (an update, not a preview).
 */
export function inProcessRuntime(): ReturnType<typeof startRecording> {
    recorder ??= startRecording(DEFAULT_ACCOUNT, false, UNIT_PROJECT, UNIT_STACK);
    return recorder;
}
