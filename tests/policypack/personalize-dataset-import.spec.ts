import * as assert from "node:assert/strict";
import { personalizeDatasetImport } from "../../policypack/policies/personalize-dataset-import";
import { personalizeDatasetImportUnverified } from "../../policypack/policies/personalize-dataset-import-unverified";
import { UNKNOWN } from "../../offline/recorder";
import { ACCOUNT, StackBuilder, personalizeTrust, serviceRoleTags, validStack } from "./stack-builder";

const policies = [personalizeDatasetImport, personalizeDatasetImportUnverified];
const ROLE_ARN = `arn:aws:iam::${ACCOUNT}:role/personalize-role`;

function dataset(stack: StackBuilder, dataLocation: unknown, roleArn: unknown = ROLE_ARN, name = "interactions"): string {
    return stack.add("aws-native:personalize:Dataset", name, {
        name,
        datasetType: "Interactions",
        datasetGroupArn: UNKNOWN,
        schemaArn: UNKNOWN,
        datasetImportJob: { jobName: `${name}-0123456789abcdef01234567`, dataSource: { dataLocation }, roleArn },
    });
}

/** A stack whose bucket policy and role let Personalize read import/ only. */
function importFolderOnly(): StackBuilder {
    const stack = new StackBuilder();
    stack.bucket("data-bucket", { "personalize-workflow": "import" });
    stack.object("data-bucket", "import/interactions.csv");
    const grants = [
        { Sid: "List", Effect: "Allow", Action: "s3:ListBucket", Resource: "arn:aws:s3:::data-bucket" },
        { Sid: "Read", Effect: "Allow", Action: "s3:GetObject", Resource: "arn:aws:s3:::data-bucket/import/*" },
    ];
    const principal = { Service: "personalize.amazonaws.com" };
    stack.bucketPolicy(
        "data-bucket",
        JSON.stringify({ Version: "2012-10-17", Statement: grants.map(g => ({ ...g, Principal: principal })) }),
    );
    stack.role("personalize-role", JSON.stringify(personalizeTrust()), serviceRoleTags("data-bucket"));
    stack.rolePolicy("personalize-role", JSON.stringify({ Version: "2012-10-17", Statement: grants }));
    return stack;
}

async function verdicts(stack: StackBuilder) {
    return (await stack.run(policies)).violations.map(v => ({
        policy: v.policy,
        level: v.enforcementLevel,
        message: v.message,
        urn: v.urn,
    }));
}

describe("personalize-dataset-import", () => {
    it("passes an import of the stack's bucket folder with its service role", async () => {
        const stack = validStack("data-bucket");
        dataset(stack, "s3://data-bucket/import/");
        dataset(stack, "s3://data-bucket/import/interactions.csv", ROLE_ARN, "one-file");
        assert.deepEqual(await verdicts(stack), []);
        const folder = importFolderOnly();
        dataset(folder, "s3://data-bucket/import/interactions/");
        assert.deepEqual(await verdicts(folder), []);
    });

    it("ignores a dataset without an import job", async () => {
        const stack = validStack("data-bucket");
        stack.add("aws-native:personalize:Dataset", "users", { name: "users", datasetType: "Users" });
        assert.deepEqual(await verdicts(stack), []);
    });

    it("fails a location outside the folder the bucket policy and the role let Personalize read", async () => {
        const stack = importFolderOnly();
        const urn = dataset(stack, "s3://data-bucket/exports/");
        assert.deepEqual(await verdicts(stack), [
            {
                policy: "personalize-dataset-import",
                level: "mandatory",
                urn,
                message:
                    `Dataset "interactions" imports "s3://data-bucket/exports/" with role "${ROLE_ARN}", which Amazon Personalize can't do: ` +
                    'BucketPolicy "data-bucket-policy": s3:GetObject on every key under arn:aws:s3:::data-bucket/exports/ is not allowed by any statement; ' +
                    "its permissions (assuming the role has no permissions boundary, as the stack sets none): " +
                    "s3:GetObject on every key under arn:aws:s3:::data-bucket/exports/ is not allowed by any statement.",
            },
        ]);
    });

    it("fails a file location whose object the policies don't grant", async () => {
        const stack = importFolderOnly();
        dataset(stack, "s3://data-bucket/old-interactions.csv");
        const [verdict] = await verdicts(stack);
        assert.match(
            verdict.message,
            /BucketPolicy "data-bucket-policy": s3:GetObject on arn:aws:s3:::data-bucket\/old-interactions\.csv is not allowed by any statement;/,
        );
    });

    it("fails a role of the stack that doesn't trust Personalize or may not read the location", async () => {
        const stack = validStack("data-bucket");
        stack.role(
            "loader",
            JSON.stringify({
                Version: "2012-10-17",
                Statement: [{ Effect: "Allow", Principal: { Service: "glue.amazonaws.com" }, Action: "sts:AssumeRole" }],
            }),
            {},
        );
        const urn = dataset(stack, "s3://data-bucket/import/", `arn:aws:iam::${ACCOUNT}:role/loader`);
        const found = await verdicts(stack);
        assert.equal(found.length, 1);
        assert.equal(found[0].urn, urn);
        assert.equal(found[0].policy, "personalize-dataset-import");
        assert.match(
            found[0].message,
            /^Dataset "interactions" imports "s3:\/\/data-bucket\/import\/" with role "arn:aws:iam::123456789012:role\/loader", which Amazon Personalize can't do: its trust policy: statement "Statement\[0\]" trusts \{"Service":\["glue.amazonaws.com"\]\}, not personalize.amazonaws.com alone; /,
        );
        assert.match(
            found[0].message,
            /its permissions \(assuming the role has no permissions boundary, as the stack sets none\): s3:ListBucket on arn:aws:s3:::data-bucket is not allowed by any statement; /,
        );
    });

    it("fails when the bucket policy denies the job's role what it grants the service", async () => {
        const stack = validStack("data-bucket");
        const policy = stack.resources.find(r => r.type === "aws:s3/bucketPolicy:BucketPolicy")!;
        const document = JSON.parse(policy.inputs.policy);
        document.Statement.push({
            Sid: "NoRole",
            Effect: "Deny",
            Principal: { AWS: ROLE_ARN },
            Action: "s3:GetObject",
            Resource: "arn:aws:s3:::data-bucket/import/*",
        });
        policy.inputs.policy = JSON.stringify(document);
        dataset(stack, "s3://data-bucket/import/");
        const messages = (await verdicts(stack)).filter(v => v.policy === "personalize-dataset-import").map(v => v.message);
        assert.equal(messages.length, 1);
        assert.match(
            messages[0],
            /BucketPolicy "data-bucket-policy": through service role "personalize-role": s3:GetObject on .* is denied by statement "NoRole"/,
        );
    });
});

describe("personalize-dataset-import-unverified", () => {
    /** Asserts the one verdict on an import of `location` with `roleArn`: advisory, can't verify, because of `why`. */
    async function unverified(location: string, roleArn: string, why: string) {
        const stack = validStack("data-bucket");
        const urn = dataset(stack, location, roleArn);
        assert.deepEqual(await verdicts(stack), [
            {
                policy: "personalize-dataset-import-unverified",
                level: "advisory",
                urn,
                message: `can't verify that Dataset "interactions" imports "${location}" with role "${roleArn}": ${why}.`,
            },
        ]);
    }

    it("names a location outside any Personalize bucket the pack knows", async () => {
        await unverified(
            "s3://partner-exports/interactions/",
            ROLE_ARN,
            'bucket "partner-exports" is not a Personalize bucket of this stack (tagged personalize-workflow) nor in the pack\'s buckets config, ' +
                "so its policy can't be read; import from the stack's Personalize bucket",
        );
        await unverified(
            "https://data-bucket.s3.amazonaws.com/import/",
            ROLE_ARN,
            "its data location is not an s3:// location, so it can't be tied to a bucket",
        );
    });

    it("names a role outside the stack: another account, or a role it doesn't declare", async () => {
        for (const roleArn of [
            "arn:aws:iam::210987654321:role/personalize-role",
            `arn:aws:iam::${ACCOUNT}:role/team/importer`,
            "personalize-role",
        ]) {
            await unverified(
                "s3://data-bucket/import/",
                roleArn,
                "the role is not declared in this stack, so its trust and permissions can't be read; use the stack's service role",
            );
        }
    });

    it("can't run during preview while the location or role is unknown", async () => {
        for (const [location, role] of [
            [UNKNOWN, ROLE_ARN],
            ["s3://data-bucket/import/", UNKNOWN],
        ]) {
            const stack = validStack("data-bucket");
            dataset(stack, location, role);
            const found = await verdicts(stack);
            assert.deepEqual(
                found.map(v => [v.policy, v.level]),
                policies.map(p => [p.name, "advisory"]),
            );
            for (const v of found) assert.match(v.message, new RegExp(`^can't run policy '${v.policy}' during preview: `));
        }
    });
});
