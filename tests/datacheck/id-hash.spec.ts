import * as assert from "assert";
import { checkDataFiles } from "../../datacheck";
import { IdCounter, hashId, idHash } from "../../datacheck/engines/stream/id-counter";
import { TempFolder } from "./temp-files";

describe("data-check ID and event type hashes", () => {
    const temp = new TempFolder();
    after(() => temp.remove());

    it("tells apart IDs and event types whose 32-bit FNV-1a hashes collide, on the fast path and the general one", async () => {
        // Pairs with the same 32-bit FNV-1a hash: only the second hash (of 62 bits in all) separates them.
        const users = ["costarring", "liquid", "declinate", "macallums"];
        const events = ["altarage", "zinke", "altarages", "zinkes"];
        const rows = users.flatMap((user, i) => [
            `${user},i${i},1700000000,${events[i]}`, // unquoted: read by the fast path
            `"${user}",i${i},1700000001,"${events[i]}"`, // quoted: read by the general scanner
        ]);
        const file = temp.write("interactions-collisions.csv", ["USER_ID,ITEM_ID,TIMESTAMP,EVENT_TYPE", ...rows].join("\n") + "\n");
        const report = (await checkDataFiles([{ path: file, datasetType: "interactions" }])).files[0];
        assert.deepStrictEqual(report.problems, []);
        assert.deepStrictEqual([report.rows, report.users, report.usersWithTwoOrMore, report.items], [8, 4, 4, 4]);
        assert.deepStrictEqual(report.eventTypes, events);
    });

    it("keeps IDs whose first hashes collide apart in a table small enough that they meet on one probe", () => {
        for (const pair of [
            ["costarring", "liquid"],
            ["declinate", "macallums"],
            ["altarage", "zinke"],
            ["altarages", "zinkes"],
        ]) {
            const counter = new IdCounter(1 << 10, 2);
            for (const id of [...pair, pair[0]]) {
                hashId(Buffer.from(id), 0, id.length);
                counter.add(idHash.a, idHash.b);
            }
            assert.deepStrictEqual([counter.size, counter.atLeastTwice], [2, 1], pair.join(" / "));
        }
    });
});
