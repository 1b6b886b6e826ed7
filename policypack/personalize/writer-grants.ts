import { coveredActions, isWrite } from "../aws/catalog";
import type { PrincipalSpec, Statement } from "../iam";
import { mayReachPrefix, staysUnderPrefix } from "../aws/resource-prefix";
import { DATA_WRITER_ACTIONS, DATA_WRITERS_SID } from "../stack/contract";
import type { PersonalizeBucket } from "../stack/view";
import { someOf, type ExcessGrant } from "./excess-grants";

/**
 * A data writer is a principal that a Personalize bucket's policy names in its DATA_WRITERS_SID statement: a
 * pipeline's role that writes the data Personalize imports (the component's `dataWriters`). Every Allow to it in the
 * bucket's policy is judged: what it needs is DATA_WRITER_ACTIONS under the import folder. Not the batch output folder (batch jobs write there and their output would be mixed with the pipeline's), no
 * deletes, no other writes, and no reads of data outside the import folder.
 */

const quoted = (texts: string[]) => texts.map(t => JSON.stringify(t)).join(", ");

/** The data writers a bucket policy names: the AWS principals of its DATA_WRITERS_SID statements. */
export function dataWriters(statements: Statement[]): Set<string> {
    return new Set(
        statements
            .filter(s => s.sid === DATA_WRITERS_SID && s.principal !== "*")
            .flatMap(s => (s.principal as { AWS?: string[] })?.AWS ?? []),
    );
}

/** What a data writer's statement grants beyond writing the data, and the statement to write instead. */
export function writerExcess(
    statement: Statement,
    bucket: PersonalizeBucket,
    partition: string,
    principal: PrincipalSpec,
): ExcessGrant | undefined {
    const bucketArn = `arn:${partition}:s3:::${bucket.name}`;
    const objects = `${bucketArn}/`;
    const importFolder = `${objects}${bucket.dataPrefix}`;
    const output = bucket.workflow === "batch" ? `${objects}${bucket.batchOutputPrefix}` : undefined;
    const s3 = coveredActions(statement, "s3");
    const reasons: string[] = [];

    if (statement.notAction) reasons.push("NotAction allows every action it doesn't list");
    const extraWrites = s3.filter(a => isWrite(a) && !DATA_WRITER_ACTIONS.includes(a.name));
    const deletes = extraWrites.filter(a => /:Delete/.test(a.name));
    if (deletes.length > 0) reasons.push(`grants ${someOf(deletes)}: deletes, which could remove data an import is reading`);
    const otherWrites = extraWrites.filter(a => !deletes.includes(a));
    if (otherWrites.length > 0) reasons.push(`grants ${someOf(otherWrites)}: writes that writing the data never needs`);

    const resources = statement.resource ?? [];
    if (statement.notResource) reasons.push("NotResource reaches every resource it doesn't list");
    const objectResources = resources.filter(r => mayReachPrefix(r, objects));
    if (s3.some(a => DATA_WRITER_ACTIONS.includes(a.name))) {
        const intoOutput = output === undefined ? [] : objectResources.filter(r => mayReachPrefix(r, output));
        if (intoOutput.length > 0)
            reasons.push(
                `lets it write under ${quoted(intoOutput)}, which reaches the batch output folder "${output}", where only batch jobs write`,
            );
        const outside = objectResources.filter(r => !intoOutput.includes(r) && !staysUnderPrefix(r, importFolder));
        if (outside.length > 0) reasons.push(`lets it write under ${quoted(outside)}, outside the import folder "${importFolder}"`);
    }
    const reads = s3.filter(a => !isWrite(a));
    const readsBeyond = objectResources.filter(r => !staysUnderPrefix(r, importFolder));
    if (reads.length > 0 && readsBeyond.length > 0)
        reasons.push(`lets it read ${someOf(reads)} on ${quoted(readsBeyond)}: data beyond the import folder "${importFolder}"`);
    if (reasons.length === 0) return undefined;

    const principalJson = Object.fromEntries(
        Object.entries(principal === "*" ? { AWS: ["*"] } : principal).map(([type, ids]) => [type, ids.length === 1 ? ids[0] : ids]),
    );
    return {
        reasons,
        narrowed: [{ Effect: "Allow", Principal: principalJson, Action: DATA_WRITER_ACTIONS, Resource: `${importFolder}*` }],
    };
}
