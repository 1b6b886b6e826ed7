import * as assert from "node:assert/strict";
import { personalizeDatasetImport } from "../../policypack/policies/personalize-dataset-import";
import { personalizeDatasetImportUnverified } from "../../policypack/policies/personalize-dataset-import-unverified";
import { UNKNOWN } from "../../offline/recorder";
import { bucketPolicy, roleAccessPolicy } from "../../components/policy-documents";
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

    it("judges the folders a pipeline writes (no object declared, the data-prefix tag) as it judges uploaded ones", async () => {
        // As the component declares a stack with dataSource s3: no BucketObject, the import folder in a tag, and a
        // data writer's grant in the bucket policy, here to a role of another account (the stack's account is the
        // service role's tag, whatever other accounts the documents name).
        const pipelineStack = (extra: Record<string, unknown>[] = []) => {
            const stack = new StackBuilder();
            stack.bucket("data-bucket", { "personalize-workflow": "import", "personalize-data-prefix": "import/" });
            const access = {
                partition: "aws",
                bucketName: "data-bucket",
                workflow: "import" as const,
                dataWriters: { roleArns: ["arn:aws:iam::210987654321:role/pipeline"], keyPrefix: "import" },
            };
            stack.bucketPolicy("data-bucket", JSON.stringify(bucketPolicy(access, extra)));
            stack.role("personalize-role", JSON.stringify(personalizeTrust()), serviceRoleTags("data-bucket"));
            stack.rolePolicy("personalize-role", JSON.stringify(roleAccessPolicy(access)));
            return stack;
        };
        const stack = pipelineStack();
        for (const type of ["interactions", "items", "users"]) dataset(stack, `s3://data-bucket/import/${type}/`, ROLE_ARN, type);
        assert.deepEqual(await verdicts(stack), []);

        const denied = pipelineStack([
            { Sid: "NoUsers", Effect: "Deny", Principal: "*", Action: "s3:GetObject", Resource: "arn:aws:s3:::data-bucket/import/users/*" },
        ]);
        dataset(denied, "s3://data-bucket/import/interactions/", ROLE_ARN, "interactions");
        const urn = dataset(denied, "s3://data-bucket/import/users/", ROLE_ARN, "users");
        assert.deepEqual(await verdicts(denied), [
            {
                policy: "personalize-dataset-import",
                level: "mandatory",
                urn,
                message:
                    `Dataset "users" imports "s3://data-bucket/import/users/" with role "${ROLE_ARN}", which Amazon Personalize can't do: ` +
                    'BucketPolicy "data-bucket-policy": for the service principal and through service role "personalize-role" alike: ' +
                    's3:GetObject on every key under arn:aws:s3:::data-bucket/import/users/ is denied by statement "NoUsers".',
            },
        ]);
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

    describe("what the job names, as CreateDatasetImportJob takes it", () => {
        /** Asserts the one verdict on an import of `location` with `roleArn`: mandatory, with these problems. */
        async function fails(stack: StackBuilder, location: unknown, roleArn: string, problems: string[]) {
            const urn = dataset(stack, location, roleArn);
            assert.deepEqual(await verdicts(stack), [
                {
                    policy: "personalize-dataset-import",
                    level: "mandatory",
                    urn,
                    message: `Dataset "interactions" imports ${JSON.stringify(location)} with role "${roleArn}", which Amazon Personalize can't do: ${problems.join("; ")}.`,
                },
            ]);
        }
        const PATTERN =
            "its data location doesn't match (s3|http|https)://.+, the pattern CreateDatasetImportJob accepts (DataSource.dataLocation); write it as s3://<bucket>/<folder>/";

        it("fails a location outside the pattern (s3|http|https)://.+, whatever the bucket allows", async () => {
            for (const location of [
                "S3://data-bucket/import/",
                "s3:/data-bucket/import/",
                "data-bucket/import/",
                "s3://",
                "ftp://data-bucket/import/",
                " s3://data-bucket/import/",
            ]) {
                await fails(validStack("data-bucket"), location, ROLE_ARN, [PATTERN]);
            }
            await fails(validStack("data-bucket"), 42, ROLE_ARN, [
                "it has no data location: dataSource.dataLocation must be a location CreateDatasetImportJob accepts (DataSource.dataLocation), e.g. s3://<bucket>/<folder>/",
            ]);
        });

        it("accepts a location of 256 characters and fails one of 257, counting characters, not UTF-16 units", async () => {
            const of = (characters: number, last = "x") => `s3://data-bucket/import/${"x".repeat(characters - 26)}${last}/`;
            assert.equal(of(256).length, 256);
            const passes = validStack("data-bucket");
            dataset(passes, of(256));
            // "😀" is one character and two UTF-16 code units: the location is 256 characters long.
            assert.equal(of(256, "😀").length, 257);
            dataset(passes, of(256, "😀"), ROLE_ARN, "emoji");
            assert.deepEqual(await verdicts(passes), []);
            await fails(validStack("data-bucket"), of(257), ROLE_ARN, [
                "its data location is 257 characters, over the 256 CreateDatasetImportJob accepts (DataSource.dataLocation); import from a shorter folder path",
            ]);
        });

        it("fails a role ARN whose path differs from the stack's role of that name: it names no role", async () => {
            await fails(
                validStack("data-bucket"),
                "s3://data-bucket/import/",
                `arn:aws:iam::${ACCOUNT}:role/service-role/personalize-role`,
                [
                    'its role ARN names path /service-role/, but the stack declares role "personalize-role" at path /; ' +
                        `role names are unique in an account, so no role has this ARN: use ${ROLE_ARN}`,
                ],
            );
            const nested = validStack("data-bucket");
            nested.resources.find(r => r.type === "aws:iam/role:Role")!.inputs.path = "/service-role/";
            await fails(nested, "s3://data-bucket/import/", ROLE_ARN, [
                'its role ARN names path /, but the stack declares role "personalize-role" at path /service-role/; ' +
                    `role names are unique in an account, so no role has this ARN: use arn:aws:iam::${ACCOUNT}:role/service-role/personalize-role`,
            ]);
        });

        it("passes a role ARN with the path the stack's role has", async () => {
            const stack = validStack("data-bucket");
            stack.resources.find(r => r.type === "aws:iam/role:Role")!.inputs.path = "/service-role/";
            dataset(stack, "s3://data-bucket/import/", `arn:aws:iam::${ACCOUNT}:role/service-role/personalize-role`);
            assert.deepEqual(await verdicts(stack), []);
        });

        it("names both a bad location and a role that doesn't exist, in one verdict", async () => {
            await fails(validStack("data-bucket"), "data-bucket/import/", `arn:aws:iam::${ACCOUNT}:role/team/personalize-role`, [
                PATTERN,
                'its role ARN names path /team/, but the stack declares role "personalize-role" at path /; ' +
                    `role names are unique in an account, so no role has this ARN: use ${ROLE_ARN}`,
            ]);
        });
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
        await unverified(
            "s3://data-bucket/import/",
            "arn:aws:iam::210987654321:role/personalize-role",
            `the role is in account 210987654321, not this stack's account ${ACCOUNT} (from the tag personalize-account (Role "personalize-role")), ` +
                "so its trust and permissions can't be read; use the stack's service role",
        );
        for (const roleArn of [
            `arn:aws:iam::${ACCOUNT}:role/team/importer`,
            "arn:aws-cn:iam::123456789012:role/personalize-role",
            "personalize-role",
        ]) {
            await unverified(
                "s3://data-bucket/import/",
                roleArn,
                "the role is not declared in this stack, so its trust and permissions can't be read; use the stack's service role",
            );
        }
    });

    it("names a role ARN at another path than the stack's role while the stack's account is unknown", async () => {
        const stack = validStack("data-bucket");
        // A second account in the component's tags leaves the stack's own account unknown.
        stack.role("partner", JSON.stringify(personalizeTrust("210987654321")), serviceRoleTags("other-bucket", "210987654321"));
        const roleArn = `arn:aws:iam::${ACCOUNT}:role/service-role/personalize-role`;
        const urn = dataset(stack, "s3://data-bucket/import/", roleArn);
        assert.deepEqual(await verdicts(stack), [
            {
                policy: "personalize-dataset-import-unverified",
                level: "advisory",
                urn,
                message:
                    `can't verify that Dataset "interactions" imports "s3://data-bucket/import/" with role "${roleArn}": ` +
                    'the stack declares role "personalize-role" at path /, not /service-role/, so in the stack\'s own account the ARN names no role, ' +
                    `but the stack's account is unknown: the stack names 2 accounts (${ACCOUNT}, 210987654321); set "account" in the pack config.`,
            },
        ]);
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
