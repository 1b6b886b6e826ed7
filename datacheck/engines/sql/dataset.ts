import { datasetFindings } from "../../check";
import { Problem } from "../../report";
import { SqlCheckResult } from "./check";

/** The dataset-wide rules on what the queries counted: the same judgement (check.ts) as for the stream engine. */
export function datasetProblems(result: SqlCheckResult): Problem[] {
    return result.datasets.flatMap(counts => {
        const files = result.files.filter(f => f.datasetType === counts.type);
        return datasetFindings({
            type: counts.type,
            paths: files.map(f => f.path),
            rows: counts.rows,
            bytes: files.reduce((sum, f) => sum + f.bytes, 0),
            eventTypes: counts.eventTypes,
            eventTypeQuotaFields: [...new Set(files.flatMap(f => f.eventTypeQuotaFields))],
            headerOnly: false,
            users: { twoOrMore: counts.usersWithTwoOrMore, all: counts.users, capped: false },
        });
    });
}
