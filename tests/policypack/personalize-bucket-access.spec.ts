import * as assert from "node:assert/strict";
import { clock } from "../../policypack/stack/clock";
import { personalizeBucketAccess } from "../../policypack/policies/personalize-bucket-access";
import { StackBuilder, guideBucketPolicy, personalizeTrust, validStack } from "./stack-builder";

const policy = [personalizeBucketAccess];
const messages = async (stack: StackBuilder, config = {}) => (await stack.run(policy, config)).violations.map(v => v.message);

function importBucket(bucket = "data-bucket"): StackBuilder {
    const stack = new StackBuilder();
    stack.bucket(bucket, { "personalize-workflow": "import" });
    return stack;
}

describe("personalize-bucket-access", () => {
    it("passes the component's shape and the AWS guide's policies", async () => {
        assert.deepEqual(await messages(validStack("data-bucket", "import")), []);
        assert.deepEqual(await messages(validStack("data-bucket", "batch")), []);
    });

    it("fails a Personalize bucket without a bucket policy, quoting the error Personalize would give", async () => {
        assert.deepEqual(await messages(importBucket()), [
            'Personalize bucket "data-bucket" (import) has no bucket policy, so Amazon Personalize can\'t read it ("Insufficient privileges for accessing data in Amazon S3"). ' +
                'Add an aws.s3.BucketPolicy for bucket "data-bucket" that allows personalize.amazonaws.com.',
        ]);
    });

    it("fails two policies for one bucket: each overwrites the other", async () => {
        const stack = importBucket();
        stack.bucketPolicy("data-bucket", guideBucketPolicy("data-bucket"), "first");
        stack.bucketPolicy("data-bucket", guideBucketPolicy("data-bucket"), "second");
        assert.deepEqual(await messages(stack), [
            'Personalize bucket "data-bucket" (import) has 2 bucket policies (BucketPolicy "first", BucketPolicy "second"); a bucket has one policy and each overwrites the other, so keep one.',
        ]);
    });

    it("reads a policy given inline on the bucket", async () => {
        const stack = new StackBuilder();
        stack.bucket(
            "data-bucket",
            { "personalize-workflow": "import" },
            { policy: JSON.stringify(guideBucketPolicy("data-bucket", ["s3:ListBucket"])) },
        );
        assert.deepEqual(await messages(stack), [
            'Personalize bucket "data-bucket" (import): Amazon Personalize (personalize.amazonaws.com) can\'t use it under Bucket "data-bucket" (policy): ' +
                "s3:GetObject on every key under arn:aws:s3:::data-bucket/ is not allowed by any statement.",
        ]);
    });

    it("checks GetObject on every object the stack uploads, so a grant on the wrong folder fails", async () => {
        const stack = importBucket();
        stack.object("data-bucket", "import/interactions.csv");
        stack.object("data-bucket", "legacy/items.csv");
        const policyDoc = guideBucketPolicy("data-bucket");
        policyDoc.Statement[0].Resource = ["arn:aws:s3:::data-bucket", "arn:aws:s3:::data-bucket/import/*"];
        stack.bucketPolicy("data-bucket", policyDoc);
        assert.deepEqual(await messages(stack), [
            'Personalize bucket "data-bucket" (import): Amazon Personalize (personalize.amazonaws.com) can\'t use it under BucketPolicy "data-bucket-policy": ' +
                "s3:GetObject on arn:aws:s3:::data-bucket/legacy/items.csv is not allowed by any statement.",
        ]);
    });

    it("checks PutObject in the folder of the batch-output tag, or anywhere in the bucket without the tag", async () => {
        const tagged = new StackBuilder();
        tagged.bucket("data-bucket", { "personalize-workflow": "batch", "personalize-batch-output": "jobs/out" });
        const onOtherFolder = guideBucketPolicy("data-bucket");
        onOtherFolder.Statement.push({
            ...onOtherFolder.Statement[0],
            Sid: "Put",
            Action: ["s3:PutObject"],
            Resource: ["arn:aws:s3:::data-bucket/batch/output/*"],
        });
        tagged.bucketPolicy("data-bucket", onOtherFolder);
        assert.deepEqual(await messages(tagged), [
            'Personalize bucket "data-bucket" (batch): Amazon Personalize (personalize.amazonaws.com) can\'t use it under BucketPolicy "data-bucket-policy": ' +
                "s3:PutObject on every key under arn:aws:s3:::data-bucket/jobs/out/ is not allowed by any statement.",
        ]);
        const untagged = new StackBuilder();
        untagged.bucket("data-bucket", { "personalize-workflow": "batch" });
        untagged.bucketPolicy("data-bucket", guideBucketPolicy("data-bucket", ["s3:GetObject", "s3:ListBucket", "s3:PutObject"]));
        assert.deepEqual(await messages(untagged), []);
    });

    it("fails a workflow tag it doesn't know, saying which values it takes", async () => {
        const stack = new StackBuilder();
        stack.bucket("data-bucket", { "personalize-workflow": "Batch" });
        assert.deepEqual(await messages(stack), ['Bucket "data-bucket" has tag personalize-workflow="Batch"; use "import" or "batch"']);
    });

    it("checks buckets named in the pack config, even untagged or declared elsewhere", async () => {
        const stack = new StackBuilder();
        stack.bucket("legacy-bucket");
        stack.bucketPolicy("external-bucket", guideBucketPolicy("external-bucket"));
        const config = { "personalize-bucket-access": { buckets: { "legacy-bucket": "import", "external-bucket": "batch" } } };
        const found = await messages(stack, config);
        assert.equal(found.length, 2);
        assert.match(found[0], /^Personalize bucket "legacy-bucket" \(import\) has no bucket policy/);
        assert.match(
            found[1],
            /^Personalize bucket "external-bucket" \(batch\).*s3:PutObject on every key under arn:aws:s3:::external-bucket\/ is not allowed/,
        );
    });

    it("builds ARNs in the configured partition", async () => {
        const config = { "personalize-bucket-access": { partition: "aws-cn" } };
        const found = await messages(validStack("data-bucket", "import"), config);
        assert.equal(found.length, 1);
        assert.match(
            found[0],
            /s3:ListBucket on arn:aws-cn:s3:::data-bucket and s3:GetObject on arn:aws-cn:s3:::data-bucket\/\S+ are not allowed by any statement/,
        );
    });

    it("leaves buckets that are not Personalize's alone", async () => {
        const stack = new StackBuilder();
        stack.bucket("logs", { team: "ops" });
        assert.deepEqual(await messages(stack), []);
    });
});

describe("personalize-bucket-access: every key, every request context", () => {
    const NOW = new Date("2026-11-28T12:00:00Z");
    const realNow = clock.now;
    before(() => (clock.now = () => NOW));
    after(() => (clock.now = realNow));

    const B = "data-bucket";
    const ARN = `arn:aws:s3:::${B}`;
    const PERSONALIZE = { Service: "personalize.amazonaws.com" };
    const SUBJECT = `Personalize bucket "${B}" (import): Amazon Personalize (personalize.amazonaws.com) can't use it under BucketPolicy "${B}-policy": `;
    const withAccount = { "personalize-bucket-access": { account: "123456789012", region: "eu-west-1" } };
    const statement = (extra: object) => ({ Effect: "Deny", Principal: "*", Action: "s3:*", Resource: [ARN, `${ARN}/*`], ...extra });
    /** An import bucket as another program makes it: tagged, no declared objects, the guide's grant plus `extra`. */
    function bucketWith(tags: Record<string, string>, ...extra: object[]): StackBuilder {
        const stack = new StackBuilder();
        stack.bucket(B, { "personalize-workflow": "import", ...tags });
        const policyDoc = guideBucketPolicy(B);
        stack.bucketPolicy(B, { ...policyDoc, Statement: [...policyDoc.Statement, ...extra] });
        return stack;
    }

    it("without declared objects, an Allow on one object name is not an Allow on the data", async () => {
        const stack = new StackBuilder();
        stack.bucket(B, { "personalize-workflow": "import" });
        stack.bucketPolicy(B, {
            Version: "2012-10-17",
            Statement: [
                { Effect: "Allow", Principal: PERSONALIZE, Action: "s3:ListBucket", Resource: ARN },
                { Effect: "Allow", Principal: PERSONALIZE, Action: "s3:GetObject", Resource: `${ARN}/personalize-data.csv` },
            ],
        });
        assert.deepEqual(await messages(stack), [
            `${SUBJECT}s3:GetObject on ${ARN}/x (a key under ${ARN}/) is not allowed by any statement.`,
        ]);
    });

    it("without declared objects, a Deny on a folder of the data prefix names that folder and the statement", async () => {
        const stack = bucketWith(
            { "personalize-data-prefix": "import/" },
            statement({ Sid: "NoSecrets", Resource: `${ARN}/import/secret/*` }),
        );
        assert.deepEqual(await messages(stack), [
            `${SUBJECT}s3:GetObject on every key under ${ARN}/import/secret/ is denied by statement "NoSecrets".`,
        ]);
        const elsewhere = bucketWith(
            { "personalize-data-prefix": "import/" },
            statement({ Sid: "NoArchive", Resource: `${ARN}/archive/*` }),
        );
        assert.deepEqual(await messages(elsewhere), [], "a Deny outside the data prefix doesn't touch Personalize");
        const noTag = bucketWith({}, statement({ Sid: "NoArchive", Resource: `${ARN}/archive/*` }));
        assert.deepEqual(
            await messages(noTag),
            [`${SUBJECT}s3:GetObject on every key under ${ARN}/archive/ is denied by statement "NoArchive".`],
            "without the tag, the whole bucket is the data",
        );
    });

    it("takes the data prefix from the declared objects before the tag", async () => {
        const stack = bucketWith({ "personalize-data-prefix": "archive/" }, statement({ Sid: "NoArchive", Resource: `${ARN}/archive/*` }));
        stack.object(B, "import/interactions.csv");
        stack.object(B, "import/items.csv");
        assert.deepEqual(await messages(stack), []);
    });

    it("takes the data prefix from the declared CSVs only: batch input files beside them are checked one by one", async () => {
        const grant = (Action: string, Resource: string | string[]) => ({ Effect: "Allow", Principal: PERSONALIZE, Action, Resource });
        const readsImportAnd = (...more: string[]) => ({
            Version: "2012-10-17",
            Statement: [
                grant("s3:ListBucket", ARN),
                grant("s3:GetObject", [`${ARN}/import/*`, ...more]),
                grant("s3:PutObject", `${ARN}/batch/output/*`),
                // The rest of the bucket is none of Personalize's business.
                { Sid: "NoArchive", Effect: "Deny", Principal: "*", Action: "s3:GetObject", Resource: `${ARN}/archive/*` },
            ],
        });
        const withPolicy = (document: object) => {
            const stack = new StackBuilder();
            stack.bucket(B, { "personalize-workflow": "batch", "personalize-batch-output": "batch/output/" });
            stack.object(B, "import/interactions.csv");
            stack.object(B, "batch/input/users.jsonl");
            stack.bucketPolicy(B, document);
            return stack;
        };
        assert.deepEqual(await messages(withPolicy(readsImportAnd(`${ARN}/batch/input/*`))), []);
        assert.deepEqual(await messages(withPolicy(readsImportAnd())), [
            `Personalize bucket "${B}" (batch): Amazon Personalize (personalize.amazonaws.com) can't use it under BucketPolicy "${B}-policy": ` +
                `s3:GetObject on ${ARN}/batch/input/users.jsonl is not allowed by any statement.`,
        ]);
    });

    it("resolves policy variables only in a 2012-10-17 document; elsewhere they are literal text", async () => {
        const pinned = (version?: string) => {
            const stack = new StackBuilder();
            stack.bucket(B, { "personalize-workflow": "import" });
            const grant = guideBucketPolicy(B).Statement[0];
            stack.bucketPolicy(B, {
                ...(version && { Version: version }),
                Statement: [{ ...grant, Condition: { StringEquals: { "aws:PrincipalServiceName": "${aws:PrincipalServiceName}" } } }],
            });
            return stack;
        };
        assert.deepEqual(await messages(pinned("2012-10-17")), []);
        const literal = [
            `Personalize bucket "${B}" (import): Amazon Personalize (personalize.amazonaws.com) can't use it under BucketPolicy "${B}-policy": ` +
                `s3:ListBucket on ${ARN} and s3:GetObject on every key under ${ARN}/ are not allowed by any statement.`,
        ];
        assert.deepEqual(await messages(pinned("2008-10-17")), literal);
        assert.deepEqual(await messages(pinned()), literal);
    });

    it("judges conditions on the time of the check: passes a Deny from 2099 and an Allow window around today, says until when a Deny holds", async () => {
        assert.deepEqual(
            await messages(bucketWith({}, statement({ Condition: { DateGreaterThan: { "aws:CurrentTime": "2099-01-01T00:00:00Z" } } }))),
            [],
        );
        assert.deepEqual(
            await messages(bucketWith({}, statement({ Condition: { NumericGreaterThan: { "aws:EpochTime": "4070908800" } } }))),
            [],
        );
        const windowed = new StackBuilder();
        windowed.bucket(B, { "personalize-workflow": "import" });
        const grant = guideBucketPolicy(B).Statement[0];
        windowed.bucketPolicy(B, {
            Version: "2012-10-17",
            Statement: [
                {
                    ...grant,
                    Condition: {
                        DateGreaterThan: { "aws:CurrentTime": "2026-01-01T00:00:00Z" },
                        DateLessThan: { "aws:CurrentTime": "2027-01-01T00:00:00Z" },
                    },
                },
            ],
        });
        assert.deepEqual(await messages(windowed), []);
        // The same instant as epoch seconds (1798761600) and as ISO 8601.
        for (const until of ["1798761600", "2027-01-01T00:00:00Z"]) {
            const frozen = bucketWith(
                {},
                statement({ Sid: "Freeze", Resource: ARN, Condition: { DateLessThan: { "aws:CurrentTime": until } } }),
            );
            assert.deepEqual(await messages(frozen), [
                `${SUBJECT}s3:ListBucket on ${ARN} is denied by statement "Freeze" until 2027-01-01T00:00:00.000Z.`,
            ]);
        }
    });

    it("judges each instant on its own: a Deny that ends one second after the check holds until then, and not a second later", async () => {
        const frozen = bucketWith(
            {},
            statement({ Sid: "Freeze", Resource: ARN, Condition: { DateLessThan: { "aws:CurrentTime": "2026-11-28T12:00:01Z" } } }),
        );
        assert.deepEqual(await messages(frozen), [
            `${SUBJECT}s3:ListBucket on ${ARN} is denied by statement "Freeze" until 2026-11-28T12:00:01.000Z.`,
        ]);
        clock.now = () => new Date(NOW.getTime() + 1000);
        try {
            assert.deepEqual(await messages(frozen), []);
        } finally {
            clock.now = () => NOW;
        }
    });

    it("tries aws:SourceAccount absent and the stack's own: a Deny false in both passes, one true when absent fails", async () => {
        const otherAccounts = statement({
            Sid: "OtherAccounts",
            Condition: { StringNotEquals: { "aws:SourceAccount": "123456789012" }, Null: { "aws:SourceAccount": "false" } },
        });
        assert.deepEqual(await messages(bucketWith({}, otherAccounts), withAccount), []);
        const ifExists = statement({
            Sid: "OwnOnly",
            Resource: ARN,
            Condition: { StringNotEqualsIfExists: { "aws:SourceAccount": "123456789012" } },
        });
        assert.deepEqual(await messages(bucketWith({}, ifExists), withAccount), [
            `${SUBJECT}s3:ListBucket on ${ARN} is denied by statement "OwnOnly" (request without aws:SourceAccount and aws:SourceArn).`,
        ]);
        assert.deepEqual(
            await messages(bucketWith({}, otherAccounts)),
            [
                `${SUBJECT}s3:ListBucket on ${ARN} and s3:GetObject on every key under ${ARN}/ may be denied by statement "OtherAccounts": its condition or resource can't be decided for Personalize's request ` +
                    `(request with aws:SourceAccount and aws:SourceArn (the stack's account is unknown); the stack's account is unknown: the stack doesn't say; set "account" in the pack config).`,
            ],
            "an unknown account keeps failing safe, and the message says where to set it",
        );
    });

    it("tries aws:SourceIp absent and an AWS address: a Deny outside a range that holds it, only when present, passes", async () => {
        const outside = (range: string) =>
            statement({
                Sid: "AwsRangeOnly",
                Resource: ARN,
                Condition: { NotIpAddress: { "aws:SourceIp": range }, Null: { "aws:SourceIp": "false" } },
            });
        assert.deepEqual(await messages(bucketWith({}, outside("52.94.0.0/31"))), []);
        assert.deepEqual(
            await messages(bucketWith({}, outside("52.94.0.2/31"))),
            [`${SUBJECT}s3:ListBucket on ${ARN} is denied by statement "AwsRangeOnly" (request from aws:SourceIp 52.94.0.1).`],
            "52.94.0.1 is just outside 52.94.0.2/31",
        );
    });

    it("judges the service role's requests against the bucket policy's Denies", async () => {
        const roleStack = (...extra: object[]) => {
            const stack = bucketWith({}, ...extra);
            stack.role("personalize-role", personalizeTrust(), { "personalize-bucket": B });
            return stack;
        };
        const roleArn = "arn:aws:iam::123456789012:role/personalize-role";
        const allowList = (arns: string[]) =>
            statement({
                Sid: "AllowListOnly",
                Resource: ARN,
                Condition: { StringNotLike: { "aws:PrincipalArn": arns }, Bool: { "aws:PrincipalIsAWSService": "false" } },
            });
        assert.deepEqual(await messages(roleStack(allowList(["arn:aws:iam::123456789012:role/admin-*"]))), [
            `${SUBJECT}through service role "personalize-role": s3:ListBucket on ${ARN} is denied by statement "AllowListOnly".`,
        ]);
        assert.deepEqual(await messages(roleStack(allowList(["arn:aws:iam::123456789012:role/admin-*", roleArn]))), []);
        assert.deepEqual(await messages(roleStack(statement({ Sid: "NoRole", Principal: { AWS: roleArn }, Resource: ARN }))), [
            `${SUBJECT}through service role "personalize-role": s3:ListBucket on ${ARN} is denied by statement "NoRole".`,
        ]);
        assert.deepEqual(await messages(roleStack(statement({ Sid: "NoAccount", Principal: { AWS: "123456789012" }, Resource: ARN }))), [
            `${SUBJECT}through service role "personalize-role": s3:ListBucket on ${ARN} is denied by statement "NoAccount".`,
        ]);
        assert.deepEqual(
            await messages(roleStack(statement({ Sid: "NoOther", Principal: { AWS: "arn:aws:iam::999999999999:root" } })), withAccount),
            [],
        );
    });

    it("says each reason and the role once: a VPC-only Deny that hits the service principal and the role alike", async () => {
        const stack = bucketWith({}, statement({ Sid: "VpcOnly", Condition: { StringNotEquals: { "aws:SourceVpce": "vpce-1a2b3c4d" } } }));
        stack.object(B, "import/interactions.csv");
        stack.object(B, "import/items.csv");
        stack.role("personalize-role", personalizeTrust(), { "personalize-bucket": B });
        const [message, ...more] = await messages(stack);
        assert.deepEqual(more, []);
        assert.equal(
            message,
            `${SUBJECT}for the service principal and through service role "personalize-role" alike: ` +
                `s3:ListBucket on ${ARN} and s3:GetObject on ${ARN}/import/interactions.csv and ${ARN}/import/items.csv are denied by statement "VpcOnly".`,
        );
        // A Deny of the role alone keeps its own clause, after the service's.
        const both = bucketWith(
            {},
            statement({ Sid: "NoLists", Action: "s3:ListBucket", Resource: ARN }),
            statement({ Sid: "NoRole", Principal: { AWS: "arn:aws:iam::123456789012:role/personalize-role" }, Action: "s3:GetObject" }),
        );
        both.role("personalize-role", personalizeTrust(), { "personalize-bucket": B });
        assert.deepEqual(await messages(both), [
            `${SUBJECT}s3:ListBucket on ${ARN} is denied by statement "NoLists"; ` +
                `through service role "personalize-role": s3:ListBucket on ${ARN} is denied by statement "NoLists"; s3:GetObject on every key under ${ARN}/ is denied by statement "NoRole".`,
        ]);
    });

    it("with the stack's account unknown, a Deny naming the role in some account may hit it; one naming another role doesn't", async () => {
        const stack = (principal: string) => {
            const built = bucketWith({}, statement({ Sid: "NoThatRole", Principal: { AWS: principal }, Resource: ARN }));
            built.role("personalize-role", { Version: "2012-10-17", Statement: [] }, { "personalize-bucket": B });
            // Two accounts named outside the bucket policy (its own ARNs are no evidence of the account).
            built.add("aws:s3/bucketObject:BucketObject", "elsewhere", {
                bucket: "other",
                key: "arn:aws:s3:::x/arn:aws:iam::999999999999:role/x/arn:aws:iam::888888888888:role/y",
            });
            return built;
        };
        assert.deepEqual(await messages(stack("arn:aws:iam::111111111111:role/other")), []);
        assert.deepEqual(await messages(stack("arn:aws:iam::111111111111:role/personalize-role")), [
            `${SUBJECT}through service role "personalize-role": s3:ListBucket on ${ARN} may be denied by statement "NoThatRole": ` +
                "its condition or resource can't be decided for Personalize's request " +
                '(the stack\'s account is unknown: the stack names 2 accounts (999999999999, 888888888888); set "account" in the pack config).',
        ]);
    });

    it("doesn't take the stack's account from the bucket policy it judges: a Deny of every account but the one it names may hit", async () => {
        const other = "999999999999";
        const stack = bucketWith(
            {},
            statement({
                Sid: "OnlyThatAccount",
                Condition: {
                    StringNotEquals: { "aws:SourceAccount": other },
                    Null: { "aws:SourceAccount": "false" },
                    ArnNotLike: { "aws:SourceArn": `arn:aws:personalize:eu-west-1:${other}:*` },
                },
            }),
        );
        const why =
            "its condition or resource can't be decided for Personalize's request (request with aws:SourceAccount and aws:SourceArn (the stack's account is unknown); " +
            `the stack's account is unknown: only the document being judged names it (${other}), and a document can't vouch for itself; set "account" in the pack config)`;
        assert.deepEqual(await messages(stack), [
            `${SUBJECT}s3:ListBucket on ${ARN} and s3:GetObject on every key under ${ARN}/ may be denied by statement "OnlyThatAccount": ${why}.`,
        ]);
    });

    it("a batch bucket with no declared objects: the guide's batch policy passes; a Deny inside the output folder names it", async () => {
        const batch = (...extra: object[]) => {
            const stack = new StackBuilder();
            stack.bucket(B, { "personalize-workflow": "batch", "personalize-batch-output": "batch/output/" });
            const policyDoc = guideBucketPolicy(B, ["s3:GetObject", "s3:ListBucket", "s3:PutObject"]);
            stack.bucketPolicy(B, { ...policyDoc, Statement: [...policyDoc.Statement, ...extra] });
            return stack;
        };
        assert.deepEqual(await messages(batch()), []);
        assert.deepEqual(
            await messages(batch(statement({ Sid: "NoTmpWrites", Action: "s3:PutObject", Resource: `${ARN}/batch/output/tmp/*` }))),
            [
                `Personalize bucket "${B}" (batch): Amazon Personalize (personalize.amazonaws.com) can't use it under BucketPolicy "${B}-policy": ` +
                    `s3:PutObject on every key under ${ARN}/batch/output/tmp/ is denied by statement "NoTmpWrites".`,
            ],
        );
    });
});
