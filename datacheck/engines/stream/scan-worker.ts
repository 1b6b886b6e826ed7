import { parentPort, workerData } from "worker_threads";
import { RangeRequest, scanRange } from "./range-scan";

/** Worker-thread entry: checks one byte range and posts the result back, moving the ID tables instead of copying. */
scanRange((workerData as { request: RangeRequest }).request).then(
    result => {
        const users = result.users.toTransfer();
        const items = result.items.toTransfer();
        parentPort!.postMessage({ ...result, users, items }, [users.table.buffer as ArrayBuffer, items.table.buffer as ArrayBuffer]);
    },
    (error: Error) => parentPort!.postMessage({ error: error.message }),
);
