import assert from "node:assert/strict";
import type { PackConfigFile, Violation } from "../../offline/policy-engine";
import { UNKNOWN } from "../../offline/recorder";
import { noPublicAccess } from "../../policypack/policies/no-public-access";
import { noVpcOnlyBucketPolicy } from "../../policypack/policies/no-vpc-only-bucket-policy";
import { personalizeBucketAccess } from "../../policypack/policies/personalize-bucket-access";
import { policyDocumentValidity } from "../../policypack/policies/policy-document-validity";
import { ACCOUNT, StackBuilder, guideBucketPolicy } from "./stack-builder";

/**
 * A table of hand-made bucket policies, each judged by the three bucket-policy policies of the pack.
 * Every case is a Personalize bucket (unless it says otherwise) with a full Block Public Access,
 * one uploaded object and the bucket policy under test; the expected verdicts follow the IAM
 * evaluation rules of REFERENCE.md and the request envelope of policypack/personalize/requests.ts.
 */

const POLICIES = [personalizeBucketAccess, noVpcOnlyBucketPolicy, noPublicAccess, policyDocumentValidity];
type Judge = "access" | "vpc" | "public" | "validity";
const POLICY_NAME: Record<Judge, string> = {
    access: personalizeBucketAccess.name,
    vpc: noVpcOnlyBucketPolicy.name,
    public: noPublicAccess.name,
    validity: policyDocumentValidity.name,
};

const B = "data-bucket";
const ARN = `arn:aws:s3:::${B}`;
const OBJECTS = `${ARN}/*`;
const OBJECT_KEY = "import/interactions.csv";
const OUTPUT_TAG = "batch/output/";
const PERSONALIZE = { Service: "personalize.amazonaws.com" };

/** What the required requests look like in the messages. */
const LIST = `s3:ListBucket on ${ARN}`;
const GET = `s3:GetObject on ${ARN}/${OBJECT_KEY}`;
const PUT = `s3:PutObject on every key under ${ARN}/${OUTPUT_TAG}`;
const NOT_ALLOWED = "is not allowed by any statement";
/** The same reason for several requests, said once. */
const ARE_NOT_ALLOWED = "are not allowed by any statement";

type Expected = "pass" | { fail: string[]; count: number };
const PASS: Expected = "pass";
/** A failure: `count` violations (default 1), each containing every substring. */
function fail(substrings: string | string[], count = 1): Expected {
    return { fail: [substrings].flat(), count };
}
/** policy-document-validity alone reports the problem; the three policies skip a document they can't read. */
function unreadable(problem: string) {
    return { access: PASS, vpc: PASS, public: PASS, validity: fail(problem) };
}

type Doc = Record<string, unknown>;
/** A copy of a statement without some elements (to swap Action for NotAction, Principal for NotPrincipal, ...). */
function omit(statement: Doc, ...elements: string[]): Doc {
    return Object.fromEntries(Object.entries(statement).filter(([k]) => !elements.includes(k)));
}
function doc(...statements: unknown[]): Doc {
    return { Version: "2012-10-17", Statement: statements };
}
function allow(sid: string, action: unknown, resource: unknown = [ARN, OBJECTS], extra: Doc = {}): Doc {
    return { Sid: sid, Effect: "Allow", Principal: PERSONALIZE, Action: action, Resource: resource, ...extra };
}
/** A Deny for everyone on the whole bucket, with extra elements (Condition, NotAction, ...). */
function denyAll(sid: string, extra: Doc = {}): Doc {
    return { Sid: sid, Effect: "Deny", Principal: "*", Action: "s3:*", Resource: [ARN, OBJECTS], ...extra };
}

const GUIDE = guideBucketPolicy(B);
const GUIDE_BATCH = guideBucketPolicy(B, ["s3:GetObject", "s3:ListBucket", "s3:PutObject"]);
const GUIDE_GRANT = GUIDE.Statement[0];
const GUIDE_BATCH_GRANT = GUIDE_BATCH.Statement[0];

/** The component's own bucket policy shape (components/policy-documents.ts), written out literally. */
function componentPolicy(workflow: "import" | "batch", putFolder = "batch/output", secureTransportValue: unknown = "false"): Doc {
    return {
        Version: "2012-10-17",
        Id: "PersonalizeS3BucketAccessPolicy",
        Statement: [
            allow("PersonalizeListBucket", "s3:ListBucket", ARN),
            allow("PersonalizeGetObject", "s3:GetObject", OBJECTS),
            ...(workflow === "batch" ? [allow("PersonalizePutBatchOutput", "s3:PutObject", `${ARN}/${putFolder}/*`)] : []),
            denyAll("DenyInsecureTransport", { Condition: { Bool: { "aws:SecureTransport": secureTransportValue } } }),
        ],
    };
}

/** The S3 User Guide's "restrict access to a specific VPC endpoint" example, for this bucket. */
const S3_DOCS_VPCE_DENY = {
    Sid: "Access-to-specific-VPCE-only",
    Principal: "*",
    Action: "s3:*",
    Effect: "Deny",
    Resource: [ARN, OBJECTS],
    Condition: { StringNotEquals: { "aws:SourceVpce": "vpce-1a2b3c4d" } },
};

interface Case {
    name: string;
    /** The bucket's personalize-workflow tag; null for an untagged (non-Personalize) bucket. */
    workflow: "import" | "batch" | null;
    /** The personalize-batch-output tag of a batch bucket (default "batch/output/"). */
    outputTag?: string;
    /** The bucket policies declared for the bucket (usually one). */
    policies: unknown[];
    config?: PackConfigFile;
    /** Block Public Access settings to turn off (all four are on by default). */
    publicAccessBlock?: Partial<Record<"blockPublicAcls" | "blockPublicPolicy" | "ignorePublicAcls" | "restrictPublicBuckets", boolean>>;
    /** More resources for the stack. */
    extra?: (stack: StackBuilder) => void;
    access: Expected;
    vpc: Expected;
    public: Expected;
    /** policy-document-validity's verdict; every other case's documents are valid. */
    validity?: Expected;
}

/** One bucket policy, for a workflow; the rest of the case given by `expect`. */
function one(
    name: string,
    workflow: "import" | "batch" | null,
    policy: unknown,
    expect: Pick<Case, "access" | "vpc" | "public"> & Partial<Case>,
): Case {
    return { name, workflow, policies: [policy], ...expect };
}

const ALL_PASS = { access: PASS, vpc: PASS, public: PASS };

const CASES: Case[] = [
    // --- The guide's and the component's documents ---------------------------------------------
    one("the AWS guide's non-batch policy, as a JSON string, passes for an import bucket", "import", JSON.stringify(GUIDE), ALL_PASS),
    one("the AWS guide's batch policy passes for a batch bucket", "batch", JSON.stringify(GUIDE_BATCH), ALL_PASS),
    one("the AWS guide's non-batch policy on a batch bucket fails access: no s3:PutObject on the output folder", "batch", GUIDE, {
        access: fail([PUT, NOT_ALLOWED]),
        vpc: PASS,
        public: PASS,
    }),
    one(
        "the component's shape (separate grants, TLS-only Deny with Bool aws:SecureTransport false) passes for batch",
        "batch",
        componentPolicy("batch"),
        ALL_PASS,
    ),
    one("the component's shape passes for import", "import", componentPolicy("import"), ALL_PASS),
    one(
        'a TLS-only Deny whose Bool value is a JSON boolean (false) is read as "false" and passes',
        "import",
        componentPolicy("import", undefined, false),
        ALL_PASS,
    ),
    one(
        "PutObject granted on another folder than the personalize-batch-output tag fails access",
        "batch",
        componentPolicy("batch", "exports"),
        {
            access: fail([PUT, NOT_ALLOWED]),
            vpc: PASS,
            public: PASS,
        },
    ),
    one(
        "PutObject granted on a sibling folder sharing the prefix (batch/output_test/) fails access",
        "batch",
        componentPolicy("batch", "batch/output_test"),
        {
            access: fail([PUT, NOT_ALLOWED]),
            vpc: PASS,
            public: PASS,
        },
    ),
    {
        name: "a personalize-batch-output tag without the trailing slash is read as the folder batch/output/",
        workflow: "batch",
        outputTag: "batch/output",
        policies: [componentPolicy("batch")],
        ...ALL_PASS,
    },
    {
        name: "a batch bucket without personalize-batch-output needs PutObject on the whole bucket: a folder grant fails",
        workflow: "batch",
        outputTag: "",
        policies: [componentPolicy("batch")],
        access: fail([`s3:PutObject on ${ARN}/x (a key under ${ARN}/)`, NOT_ALLOWED]),
        vpc: PASS,
        public: PASS,
    },

    // --- Actions -------------------------------------------------------------------------------
    one(
        "s3:GetObjectAcl is not s3:GetObject (a substring match would pass it): access fails",
        "import",
        doc(allow("Read", ["s3:GetObjectAcl", "s3:ListBucket"])),
        {
            access: fail([GET, NOT_ALLOWED]),
            vpc: PASS,
            public: PASS,
        },
    ),
    one("s3:Get* with s3:ListBucket covers GetObject", "import", doc(allow("Read", ["s3:Get*", "s3:ListBucket"])), ALL_PASS),
    one("s3:* covers every batch action", "batch", doc(allow("All", ["s3:*"])), ALL_PASS),
    one(
        "action names are case-insensitive: S3:GETOBJECT, S3:LISTBUCKET",
        "import",
        doc(allow("Read", ["S3:GETOBJECT", "S3:LISTBUCKET"])),
        ALL_PASS,
    ),
    one(
        "the ? wildcard matches one character: s3:Ge?Object, s3:List?ucket",
        "import",
        doc(allow("Read", ["s3:Ge?Object", "s3:List?ucket"])),
        ALL_PASS,
    ),
    one(
        "the ? wildcard needs exactly one character: s3:GetO?Object does not match GetObject",
        "import",
        doc(allow("Read", ["s3:GetO?Object", "s3:ListBucket"])),
        {
            access: fail([GET, NOT_ALLOWED]),
            vpc: PASS,
            public: PASS,
            validity: fail('Statement[0] "Read": Action "s3:GetO?Object" names no action (the wildcard matches no s3 action)'),
        },
    ),
    one(
        "Action as one string, in one statement per action, passes",
        "import",
        doc(allow("List", "s3:ListBucket", ARN), allow("Get", "s3:GetObject", OBJECTS)),
        ALL_PASS,
    ),

    // --- Document and statement shapes ---------------------------------------------------------
    one("Statement as a single object instead of an array passes", "import", { Version: "2012-10-17", Statement: GUIDE_GRANT }, ALL_PASS),
    one("the document as an object (not a JSON string) passes", "batch", GUIDE_BATCH, ALL_PASS),
    one("a document without Version is read (IAM defaults it) and passes", "import", { Statement: [GUIDE_GRANT] }, ALL_PASS),
    one(
        'Effect "allow" in lower case can\'t be read (Effect is case-sensitive)',
        "import",
        doc({ ...GUIDE_GRANT, Effect: "allow" }),
        unreadable('Effect must be "Allow" or "Deny", got "allow"'),
    ),
    one(
        "a document without Statement can't be read",
        "import",
        { Version: "2012-10-17", Id: "x" },
        unreadable('Policy has no "Statement" element'),
    ),
    one(
        "Statement given as a string can't be read",
        "import",
        { Version: "2012-10-17", Statement: "Allow personalize" },
        unreadable('Policy "Statement" must be an object or an array of objects, got "Allow personalize"'),
    ),
    one(
        "a statement that is a string can't be read",
        "import",
        doc(GUIDE_GRANT, "s3:GetObject"),
        unreadable('Statement[1] must be an object, got "s3:GetObject"'),
    ),
    one("an empty Statement array can't be read", "import", doc(), unreadable('Policy "Statement" is an empty array')),
    one(
        "a wrong Version (2012-10-18) can't be read",
        "import",
        { ...GUIDE, Version: "2012-10-18" },
        unreadable('Policy Version must be "2012-10-17"'),
    ),
    one("an unparseable JSON string can't be read", "import", JSON.stringify(GUIDE).slice(0, -2), unreadable("Policy is not valid JSON")),
    one("a JSON string that is not an object can't be read", "import", "42", unreadable("Policy must be a JSON object")),
    one(
        'element names are case-sensitive: "effect" is an unknown element',
        "import",
        doc({ ...GUIDE_GRANT, effect: "Allow" }),
        unreadable('unknown element "effect"'),
    ),
    one(
        "a bucket-policy statement without Principal can't be read",
        "import",
        doc({ Sid: "NoPrincipal", Effect: "Allow", Action: "s3:*", Resource: [ARN, OBJECTS] }),
        unreadable('Statement "NoPrincipal": needs Principal'),
    ),
    {
        name: "no bucket policy for a Personalize bucket fails access",
        workflow: "import",
        policies: [],
        access: fail(`Personalize bucket "${B}" (import) has no bucket policy`),
        vpc: PASS,
        public: PASS,
    },
    {
        name: "two bucket policies for one bucket fail access (each overwrites the other)",
        workflow: "import",
        policies: [JSON.stringify(GUIDE), GUIDE],
        access: fail(`has 2 bucket policies (BucketPolicy "${B}-policy-1", BucketPolicy "${B}-policy-2")`),
        vpc: PASS,
        public: PASS,
    },

    // --- Principals and public access ----------------------------------------------------------
    one(
        'Principal "*" with no condition lets Personalize in but makes the bucket public',
        "import",
        doc({ ...GUIDE_GRANT, Sid: "Everyone", Principal: "*" }),
        {
            access: PASS,
            vpc: PASS,
            public: fail('statement "Everyone": it allows everyone ("*") without a condition'),
        },
    ),
    one('Principal {"AWS": "*"} is the same as "*"', "import", doc({ ...GUIDE_GRANT, Sid: "Everyone", Principal: { AWS: "*" } }), {
        access: PASS,
        vpc: PASS,
        public: fail('statement "Everyone": it allows everyone ("*")'),
    }),
    one(
        'Principal {"AWS": [a role, "*"]}: one "*" among named principals is still everyone',
        "import",
        doc({ ...GUIDE_GRANT, Sid: "Everyone", Principal: { AWS: [`arn:aws:iam::${ACCOUNT}:role/reader`, "*"] } }),
        {
            access: PASS,
            vpc: PASS,
            public: fail('statement "Everyone": it allows everyone ("*")'),
        },
    ),
    // aws:SourceAccount pins who, so the grant is not public; but the envelope does not know
    // Personalize's aws:SourceAccount (UNKNOWN), so an Allow that needs it does not count (fail-safe).
    one(
        'Principal "*" pinned by StringEquals aws:SourceAccount: not public, but access fails (Personalize may send no aws:SourceAccount)',
        "import",
        doc({ ...GUIDE_GRANT, Sid: "AnyoneFromAccount", Principal: "*", Condition: { StringEquals: { "aws:SourceAccount": ACCOUNT } } }),
        {
            access: fail([`${LIST} and ${GET} ${ARE_NOT_ALLOWED} (request without aws:SourceAccount and aws:SourceArn`]),
            vpc: PASS,
            public: PASS,
        },
    ),
    one(
        'the same pinned "*" grant next to the guide\'s grant: access passes through the guide statement',
        "import",
        doc(GUIDE_GRANT, {
            ...GUIDE_GRANT,
            Sid: "AnyoneFromAccount",
            Principal: "*",
            Condition: { StringEquals: { "aws:SourceAccount": ACCOUNT } },
        }),
        ALL_PASS,
    ),
    one(
        '"*" with StringLike aws:SourceArn "*" pins nothing: public fails',
        "import",
        doc(GUIDE_GRANT, { ...GUIDE_GRANT, Sid: "AnyArn", Principal: "*", Condition: { StringLike: { "aws:SourceArn": "*" } } }),
        {
            access: PASS,
            vpc: PASS,
            public: fail('statement "AnyArn": it allows everyone'),
        },
    ),
    one(
        '"*" with IpAddress aws:SourceIp 0.0.0.0/0 pins nothing: public fails',
        "import",
        doc(GUIDE_GRANT, { ...GUIDE_GRANT, Sid: "AnyIp", Principal: "*", Condition: { IpAddress: { "aws:SourceIp": "0.0.0.0/0" } } }),
        {
            access: PASS,
            vpc: PASS,
            public: fail('statement "AnyIp": it allows everyone'),
        },
    ),
    one(
        '"*" with StringEqualsIfExists aws:SourceAccount pins nothing (IfExists holds without the key): public fails',
        "import",
        doc(GUIDE_GRANT, {
            ...GUIDE_GRANT,
            Sid: "IfExists",
            Principal: "*",
            Condition: { StringEqualsIfExists: { "aws:SourceAccount": ACCOUNT } },
        }),
        {
            access: PASS,
            vpc: PASS,
            public: fail('statement "IfExists": it allows everyone'),
        },
    ),
    one(
        "an Allow with NotPrincipal grants every other principal: Personalize gets in, the bucket is public",
        "import",
        doc({ ...omit(GUIDE_GRANT, "Principal"), Sid: "AllButOne", NotPrincipal: { AWS: `arn:aws:iam::${ACCOUNT}:root` } }),
        {
            access: PASS,
            vpc: PASS,
            public: fail('statement "AllButOne": it allows every principal but those in NotPrincipal'),
        },
    ),
    one(
        "a grant to an account root only does not reach Personalize's service principal",
        "import",
        doc({ ...GUIDE_GRANT, Sid: "Account", Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` } }),
        {
            access: fail([LIST, GET, ARE_NOT_ALLOWED]),
            vpc: PASS,
            public: PASS,
        },
    ),
    one(
        "a Principal Service list that includes personalize.amazonaws.com passes",
        "import",
        doc({ ...GUIDE_GRANT, Principal: { Service: ["glue.amazonaws.com", "personalize.amazonaws.com"] } }),
        ALL_PASS,
    ),
    // A policy variable is not a fixed value: `${aws:SourceAccount}` compared with aws:SourceAccount
    // always holds, so this grants everyone whose request carries any source account (S3 counts only
    // values without wildcards or policy variables as "fixed").
    one(
        '"*" "pinned" to aws:SourceAccount = ${aws:SourceAccount} (a tautology) pins nothing: public fails',
        "import",
        doc(GUIDE_GRANT, {
            ...GUIDE_GRANT,
            Sid: "Tautology",
            Principal: "*",
            Condition: { StringEquals: { "aws:SourceAccount": "${aws:SourceAccount}" } },
        }),
        {
            access: PASS,
            vpc: PASS,
            public: fail('statement "Tautology": it allows everyone'),
        },
    ),
    {
        name: "Block Public Access with blockPublicPolicy off fails public, whatever the policy",
        workflow: "import",
        policies: [GUIDE],
        publicAccessBlock: { blockPublicPolicy: false },
        ...ALL_PASS,
        public: fail(`Personalize bucket "${B}" has Block Public Access settings off`),
    },
    // Like two bucket policies: each PutPublicAccessBlock replaces the other, so which settings hold
    // depends on the order of creation; one full block among them proves nothing.
    {
        name: "two Block Public Access resources for one bucket, one with blockPublicPolicy off, fail public",
        workflow: "import",
        policies: [GUIDE],
        extra: stack =>
            stack.add("aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock", `${B}-pab-2`, {
                bucket: B,
                blockPublicAcls: true,
                blockPublicPolicy: false,
                ignorePublicAcls: true,
                restrictPublicBuckets: true,
            }),
        ...ALL_PASS,
        public: fail(`Personalize bucket "${B}"`),
    },

    // --- VPC conditions ------------------------------------------------------------------------
    one(
        "the S3 docs' VPC-endpoint Deny (StringNotEquals aws:SourceVpce) fails VPC and denies Personalize",
        "import",
        doc(GUIDE_GRANT, S3_DOCS_VPCE_DENY),
        {
            access: fail([LIST, 'are denied by statement "Access-to-specific-VPCE-only"']),
            vpc: fail('statement "Access-to-specific-VPCE-only" (Deny): its condition tests aws:SourceVpce (StringNotEquals)'),
            public: PASS,
        },
    ),
    one(
        "a VPC key in upper case (AWS:SOURCEVPC) is the same key",
        "import",
        doc(GUIDE_GRANT, denyAll("VpcOnly", { Condition: { StringNotEquals: { "AWS:SOURCEVPC": "vpc-111bbb22" } } })),
        {
            access: fail([LIST, 'are denied by statement "VpcOnly"']),
            vpc: fail("its condition tests AWS:SOURCEVPC (StringNotEquals)"),
            public: PASS,
        },
    ),
    one(
        "a VPC key in lower case (aws:sourcevpce) is the same key",
        "import",
        doc(GUIDE_GRANT, denyAll("VpceOnly", { Condition: { StringNotEquals: { "aws:sourcevpce": "vpce-1a2b3c4d" } } })),
        {
            access: fail([GET, 'are denied by statement "VpceOnly"']),
            vpc: fail("its condition tests aws:sourcevpce (StringNotEquals)"),
            public: PASS,
        },
    ),
    // ForAnyValue over a key with no values is false, so this Deny never applies to Personalize;
    // the VPC policy flags the key anyway.
    one(
        "ForAnyValue:StringNotEquals aws:SourceVpce: false for an absent key, so access passes, but VPC fails",
        "import",
        doc(GUIDE_GRANT, denyAll("AnyVpce", { Condition: { "ForAnyValue:StringNotEquals": { "aws:SourceVpce": "vpce-1a2b3c4d" } } })),
        {
            access: PASS,
            vpc: fail("its condition tests aws:SourceVpce (ForAnyValue:StringNotEquals)"),
            public: PASS,
        },
    ),
    one(
        "StringNotEqualsIfExists aws:SourceVpc still denies Personalize (IfExists is true for an absent key)",
        "batch",
        doc(GUIDE_BATCH_GRANT, denyAll("VpcIfExists", { Condition: { StringNotEqualsIfExists: { "aws:SourceVpc": "vpc-111bbb22" } } })),
        {
            access: fail([PUT, 'are denied by statement "VpcIfExists"']),
            vpc: fail("aws:SourceVpc (StringNotEqualsIfExists)"),
            public: PASS,
        },
    ),
    one(
        "a VPC key in an extra Allow (StringEquals aws:SourceVpc) fails VPC even though the guide grant lets Personalize in",
        "import",
        doc(GUIDE_GRANT, {
            Sid: "AllowFromVpc",
            Effect: "Allow",
            Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` },
            Action: "s3:*",
            Resource: [ARN, OBJECTS],
            Condition: { StringEquals: { "aws:SourceVpc": "vpc-111bbb22" } },
        }),
        {
            access: PASS,
            vpc: fail('statement "AllowFromVpc" (Allow): its condition tests aws:SourceVpc (StringEquals)'),
            public: PASS,
        },
    ),
    one(
        'a "*" grant pinned to a VPC endpoint is not public, but Personalize never matches it and VPC fails',
        "import",
        doc({ ...GUIDE_GRANT, Sid: "VpceOnlyGrant", Principal: "*", Condition: { StringEquals: { "aws:SourceVpce": "vpce-1a2b3c4d" } } }),
        {
            access: fail([LIST, GET, ARE_NOT_ALLOWED]),
            vpc: fail('statement "VpceOnlyGrant" (Allow): its condition tests aws:SourceVpce (StringEquals)'),
            public: PASS,
        },
    ),
    one(
        "NotIpAddress aws:VpcSourceIp denies Personalize (absent key, negated operator) and fails VPC",
        "import",
        doc(GUIDE_GRANT, denyAll("VpcIp", { Condition: { NotIpAddress: { "aws:VpcSourceIp": "10.0.0.0/8" } } })),
        {
            access: fail('are denied by statement "VpcIp"'),
            vpc: fail("aws:VpcSourceIp (NotIpAddress)"),
            public: PASS,
        },
    ),
    one(
        "ArnNotLike aws:SourceVpcArn denies Personalize and fails VPC",
        "import",
        doc(
            GUIDE_GRANT,
            denyAll("VpcArn", { Condition: { ArnNotLike: { "aws:SourceVpcArn": `arn:aws:ec2:us-east-1:${ACCOUNT}:vpc/*` } } }),
        ),
        {
            access: fail('are denied by statement "VpcArn"'),
            vpc: fail("aws:SourceVpcArn (ArnNotLike)"),
            public: PASS,
        },
    ),
    one(
        "StringNotEquals aws:VpceAccount denies Personalize and fails VPC",
        "import",
        doc(GUIDE_GRANT, denyAll("VpceAccount", { Condition: { StringNotEquals: { "aws:VpceAccount": ACCOUNT } } })),
        {
            access: fail('are denied by statement "VpceAccount"'),
            vpc: fail("aws:VpceAccount (StringNotEquals)"),
            public: PASS,
        },
    ),
    one(
        "StringNotEquals aws:VpceOrgID denies Personalize and fails VPC",
        "import",
        doc(GUIDE_GRANT, denyAll("VpceOrg", { Condition: { StringNotEquals: { "aws:VpceOrgID": "o-a1b2c3d4e5" } } })),
        {
            access: fail('are denied by statement "VpceOrg"'),
            vpc: fail("aws:VpceOrgID (StringNotEquals)"),
            public: PASS,
        },
    ),
    // ForAllValues over a key with no values is true, so the Deny applies.
    one(
        "ForAllValues:StringNotLike aws:VpceOrgPaths denies Personalize (vacuously true) and fails VPC",
        "import",
        doc(
            GUIDE_GRANT,
            denyAll("VpceOrgPaths", { Condition: { "ForAllValues:StringNotLike": { "aws:VpceOrgPaths": "o-a1b2c3d4e5/r-ab12/*" } } }),
        ),
        {
            access: fail('are denied by statement "VpceOrgPaths"'),
            vpc: fail("aws:VpceOrgPaths (ForAllValues:StringNotLike)"),
            public: PASS,
        },
    ),
    one(
        "Null aws:SourceVpce true in a Deny (deny unless through an endpoint) denies Personalize and fails VPC",
        "import",
        doc(GUIDE_GRANT, denyAll("NotThroughVpce", { Condition: { Null: { "aws:SourceVpce": "true" } } })),
        {
            access: fail('are denied by statement "NotThroughVpce"'),
            vpc: fail("aws:SourceVpce (Null)"),
            public: PASS,
        },
    ),
    one(
        "Null aws:SourceVpce false in a Deny (deny endpoint traffic) lets Personalize in, but VPC flags any VPC key",
        "import",
        doc(GUIDE_GRANT, denyAll("NoEndpointTraffic", { Condition: { Null: { "aws:SourceVpce": "false" } } })),
        {
            access: PASS,
            vpc: fail("aws:SourceVpce (Null)"),
            public: PASS,
        },
    ),
    one(
        "a VPC-only Deny that exempts AWS services (Bool aws:PrincipalIsAWSService false) lets Personalize in, but VPC flags it",
        "import",
        doc(
            GUIDE_GRANT,
            denyAll("VpcOnlyButServices", {
                Condition: { StringNotEquals: { "aws:SourceVpce": "vpce-1a2b3c4d" }, Bool: { "aws:PrincipalIsAWSService": "false" } },
            }),
        ),
        {
            access: PASS,
            vpc: fail('statement "VpcOnlyButServices" (Deny): its condition tests aws:SourceVpce (StringNotEquals)'),
            public: PASS,
        },
    ),
    one(
        "two VPC statements give two VPC violations",
        "import",
        doc(GUIDE_GRANT, S3_DOCS_VPCE_DENY, denyAll("VpcToo", { Condition: { StringNotEquals: { "aws:SourceVpc": "vpc-111bbb22" } } })),
        {
            access: fail('are denied by statement "Access-to-specific-VPCE-only", "VpcToo"'),
            vpc: fail("Amazon Personalize doesn't communicate with AWS VPCs", 2),
            public: PASS,
        },
    ),

    // --- Other Deny statements -----------------------------------------------------------------
    one(
        "StringNotEquals aws:PrincipalOrgID denies Personalize (no org ID for a service principal)",
        "import",
        doc(GUIDE_GRANT, denyAll("OrgOnly", { Condition: { StringNotEquals: { "aws:PrincipalOrgID": "o-xxxxxxxxxx" } } })),
        {
            access: fail([LIST, 'are denied by statement "OrgOnly"']),
            vpc: PASS,
            public: PASS,
        },
    ),
    one(
        "the same org Deny exempting services (BoolIfExists aws:PrincipalIsAWSService false) lets Personalize in",
        "import",
        doc(
            GUIDE_GRANT,
            denyAll("OrgOnlyButServices", {
                Condition: {
                    StringNotEquals: { "aws:PrincipalOrgID": "o-xxxxxxxxxx" },
                    BoolIfExists: { "aws:PrincipalIsAWSService": "false" },
                },
            }),
        ),
        ALL_PASS,
    ),
    one(
        "a Deny exempting calls via AWS services (Bool aws:ViaAWSService false) still hits Personalize acting directly",
        "import",
        doc(GUIDE_GRANT, denyAll("OnlyViaServices", { Condition: { Bool: { "aws:ViaAWSService": "false" } } })),
        {
            access: fail('are denied by statement "OnlyViaServices"'),
            vpc: PASS,
            public: PASS,
        },
    ),
    one(
        "a Deny exempting Personalize by aws:PrincipalServiceName passes",
        "import",
        doc(
            GUIDE_GRANT,
            denyAll("OnlyPersonalize", { Condition: { StringNotEquals: { "aws:PrincipalServiceName": "personalize.amazonaws.com" } } }),
        ),
        ALL_PASS,
    ),
    one(
        "a Deny with NotAction that exempts GetObject but not ListBucket denies ListBucket",
        "import",
        doc(GUIDE_GRANT, { ...omit(denyAll("AllButGet"), "Action"), NotAction: ["s3:GetObject"] }),
        {
            access: fail([LIST, 'is denied by statement "AllButGet"']),
            vpc: PASS,
            public: PASS,
        },
    ),
    one(
        "a Deny with NotAction that exempts exactly GetObject and ListBucket passes for import",
        "import",
        doc(GUIDE_GRANT, { ...omit(denyAll("AllButRead"), "Action"), NotAction: ["s3:GetObject", "s3:ListBucket"] }),
        ALL_PASS,
    ),
    one(
        "a Deny with NotPrincipal personalize.amazonaws.com exempts Personalize",
        "import",
        doc(GUIDE_GRANT, { ...omit(denyAll("AllButPersonalize"), "Principal"), NotPrincipal: PERSONALIZE }),
        ALL_PASS,
    ),
    one(
        "a Deny on s3:PutObject only does not matter for an import bucket",
        "import",
        doc(GUIDE_GRANT, { ...denyAll("NoWrites"), Action: "s3:PutObject" }),
        ALL_PASS,
    ),
    one(
        "a Deny on s3:PutObject only fails a batch bucket",
        "batch",
        doc(GUIDE_BATCH_GRANT, { ...denyAll("NoWrites"), Action: "s3:PutObject" }),
        {
            access: fail([PUT, 'is denied by statement "NoWrites"']),
            vpc: PASS,
            public: PASS,
        },
    ),
    one(
        "a Deny to the Personalize principal itself on GetObject fails",
        "import",
        doc(GUIDE_GRANT, { Sid: "NoReads", Effect: "Deny", Principal: PERSONALIZE, Action: "s3:GetObject", Resource: OBJECTS }),
        {
            access: fail([GET, 'is denied by statement "NoReads"']),
            vpc: PASS,
            public: PASS,
        },
    ),
    one(
        "NotIpAddress aws:SourceIp in a Deny: denied both without aws:SourceIp and from an AWS address outside the range",
        "import",
        doc(GUIDE_GRANT, denyAll("OfficeOnly", { Condition: { NotIpAddress: { "aws:SourceIp": "203.0.113.0/24" } } })),
        {
            access: fail([`${LIST} and ${GET} are denied by statement "OfficeOnly" (request without aws:SourceIp)`]),
            vpc: PASS,
            public: PASS,
        },
    ),
    // The S3 User Guide's minimum-TLS Deny: Personalize calls S3 over TLS 1.2 or 1.3, so it never applies.
    one(
        "a minimum-TLS Deny (NumericLessThan s3:TlsVersion 1.2) passes: Personalize uses TLS 1.2 or higher",
        "import",
        doc(GUIDE_GRANT, denyAll("MinTls", { Condition: { NumericLessThan: { "s3:TlsVersion": "1.2" } } })),
        ALL_PASS,
    ),
    one(
        "a TLS Deny written with NumericLessThanEquals 1.2 denies Personalize's TLS 1.2 requests",
        "import",
        doc(GUIDE_GRANT, denyAll("MinTls13", { Condition: { NumericLessThanEquals: { "s3:TlsVersion": "1.2" } } })),
        { access: fail([`${LIST} and ${GET} are denied by statement "MinTls13" (request over TLS 1.2)`]), vpc: PASS, public: PASS },
    ),
    one(
        "an Allow under an operator IAM does not define counts for nothing",
        "import",
        doc({ ...GUIDE_GRANT, Sid: "Odd", Condition: { StringEqualsAlmost: { "aws:SecureTransport": "true" } } }),
        {
            access: fail([LIST, "are allowed only under a condition Personalize's requests can't be shown to meet (statement \"Odd\")"]),
            vpc: PASS,
            public: PASS,
        },
    ),

    // --- Resources ------------------------------------------------------------------------------
    one(
        "an Allow with NotResource naming another bucket covers this one",
        "import",
        doc({ ...omit(GUIDE_GRANT, "Resource"), NotResource: ["arn:aws:s3:::other-bucket", "arn:aws:s3:::other-bucket/*"] }),
        ALL_PASS,
    ),
    one(
        "an Allow with NotResource naming this bucket's objects leaves GetObject out",
        "import",
        doc({ ...omit(GUIDE_GRANT, "Resource"), NotResource: OBJECTS }),
        {
            access: fail([GET, NOT_ALLOWED]),
            vpc: PASS,
            public: PASS,
        },
    ),
    one(
        "a Resource wildcard arn:aws:s3:::data-bucket* matches the bucket and its objects",
        "batch",
        doc({ ...GUIDE_BATCH_GRANT, Resource: `${ARN}*` }),
        ALL_PASS,
    ),
    one(
        "a wrong-case bucket ARN (arn:aws:s3:::Data-Bucket) fails: ARNs are case-sensitive",
        "import",
        doc({ ...GUIDE_GRANT, Resource: ["arn:aws:s3:::Data-Bucket", "arn:aws:s3:::Data-Bucket/*"] }),
        {
            access: fail([LIST, GET, ARE_NOT_ALLOWED]),
            vpc: PASS,
            public: PASS,
        },
    ),
    one(
        "a wrong partition (arn:aws-cn:) fails with the default partition aws",
        "import",
        doc({ ...GUIDE_GRANT, Resource: [`arn:aws-cn:s3:::${B}`, `arn:aws-cn:s3:::${B}/*`] }),
        {
            access: fail([LIST, GET, ARE_NOT_ALLOWED]),
            vpc: PASS,
            public: PASS,
        },
    ),
    one(
        "the arn:aws-cn: document passes when the pack's partition is aws-cn",
        "import",
        doc({ ...GUIDE_GRANT, Resource: [`arn:aws-cn:s3:::${B}`, `arn:aws-cn:s3:::${B}/*`] }),
        {
            ...ALL_PASS,
            config: Object.fromEntries(POLICIES.map(p => [p.name, { partition: "aws-cn" }])),
        },
    ),
    // IAM User Guide (Resource element): "If the * wildcard is the last character of a resource ARN
    // segment, it can expand to match beyond the colon boundaries" -- so arn:aws:s3:* covers
    // arn:aws:s3:::data-bucket (@cloud-copilot/iam-simulate agrees).
    one(
        "a Deny on Resource arn:aws:s3:* (a trailing * spans the remaining colons) denies Personalize",
        "import",
        doc(GUIDE_GRANT, { ...denyAll("DenyAllS3"), Resource: "arn:aws:s3:*" }),
        {
            access: fail([LIST, 'are denied by statement "DenyAllS3"']),
            vpc: PASS,
            public: PASS,
        },
    ),
    one(
        "an Allow on Resource arn:aws:s3:* covers the bucket and its objects",
        "import",
        doc({ ...GUIDE_GRANT, Resource: "arn:aws:s3:*" }),
        ALL_PASS,
    ),
    one("a Resource of the bucket only (no /*) leaves GetObject out", "import", doc({ ...GUIDE_GRANT, Resource: ARN }), {
        access: fail([GET, NOT_ALLOWED]),
        vpc: PASS,
        public: PASS,
    }),

    // --- Which buckets are judged ---------------------------------------------------------------
    one(
        "an untagged (non-Personalize) bucket with a VPC-only policy is not the pack's business",
        null,
        doc(GUIDE_GRANT, S3_DOCS_VPCE_DENY),
        ALL_PASS,
    ),
    one(
        "the same untagged bucket named in no-vpc-only-bucket-policy's buckets config fails VPC",
        null,
        doc(GUIDE_GRANT, S3_DOCS_VPCE_DENY),
        {
            access: PASS,
            vpc: fail(`statement "Access-to-specific-VPCE-only" (Deny): its condition tests aws:SourceVpce (StringNotEquals)`),
            public: PASS,
            config: { "no-vpc-only-bucket-policy": { buckets: { [B]: "import" } } },
        },
    ),
];

function build(c: Case): StackBuilder {
    const stack = new StackBuilder();
    const tags =
        c.workflow === null
            ? { team: "data" }
            : {
                  "personalize-workflow": c.workflow,
                  ...(c.workflow === "batch" && c.outputTag !== "" && { "personalize-batch-output": c.outputTag ?? OUTPUT_TAG }),
              };
    stack.bucket(B, tags);
    stack.publicAccessBlock(B, c.publicAccessBlock);
    stack.object(B, OBJECT_KEY);
    c.policies.forEach((policy, i) => stack.bucketPolicy(B, policy, c.policies.length > 1 ? `${B}-policy-${i + 1}` : undefined));
    c.extra?.(stack);
    return stack;
}

function checkVerdict(c: Case, judge: Judge, violations: Violation[]): void {
    const expected = c[judge] ?? PASS;
    const mine = violations.filter(v => v.policy === POLICY_NAME[judge]);
    const shown = JSON.stringify(
        mine.map(v => v.message),
        null,
        1,
    );
    if (expected === "pass") {
        assert.equal(mine.length, 0, `${POLICY_NAME[judge]} should pass, got ${shown}`);
        return;
    }
    assert.equal(mine.length, expected.count, `${POLICY_NAME[judge]} should report ${expected.count} violation(s), got ${shown}`);
    for (const v of mine) {
        assert.equal(v.enforcementLevel, "mandatory", `${POLICY_NAME[judge]}: ${v.message}`);
        for (const s of expected.fail) assert.ok(v.message.includes(s), `expected ${JSON.stringify(s)} in ${JSON.stringify(v.message)}`);
    }
}

describe("adversarial bucket policies: personalize-bucket-access, no-vpc-only-bucket-policy, no-public-access, policy-document-validity", () => {
    it("has at least 30 cases with unique names", () => {
        assert.ok(CASES.length >= 30);
        assert.equal(new Set(CASES.map(c => c.name)).size, CASES.length);
    });

    for (const c of CASES) {
        it(c.name, async () => {
            const report = await build(c).run(POLICIES, c.config ?? {});
            assert.deepEqual(report.notApplicable, []);
            const unexpected = report.violations.filter(v => !Object.values(POLICY_NAME).includes(v.policy));
            assert.deepEqual(unexpected, []);
            for (const judge of ["access", "vpc", "public", "validity"] as const) checkVerdict(c, judge, report.violations);
        });
    }

    it('a bucket policy whose document is UNKNOWN (preview) gives an advisory "can\'t run during preview" per policy, never a silent pass', async () => {
        const stack = new StackBuilder();
        stack.bucket(B, { "personalize-workflow": "import" });
        stack.publicAccessBlock(B);
        stack.object(B, OBJECT_KEY);
        stack.bucketPolicy(B, UNKNOWN);
        const report = await stack.run(POLICIES);
        assert.equal(report.violations.filter(v => v.enforcementLevel === "mandatory").length, 0, JSON.stringify(report.violations));
        for (const policy of POLICIES) {
            const mine = report.violations.filter(v => v.policy === policy.name);
            assert.equal(mine.length, 1, `${policy.name}: ${JSON.stringify(mine)}`);
            assert.equal(mine[0].enforcementLevel, "advisory");
            assert.ok(mine[0].message.includes(`can't run policy '${policy.name}' during preview`), mine[0].message);
        }
    });

    it("a bucket whose tags are UNKNOWN (preview) gives the same advisory, not a pass", async () => {
        const stack = new StackBuilder();
        stack.bucket(B, UNKNOWN);
        stack.publicAccessBlock(B);
        stack.bucketPolicy(B, doc(GUIDE_GRANT, S3_DOCS_VPCE_DENY));
        const report = await stack.run(POLICIES);
        assert.equal(report.violations.filter(v => v.enforcementLevel === "mandatory").length, 0, JSON.stringify(report.violations));
        for (const policy of POLICIES) {
            const mine = report.violations.filter(v => v.policy === policy.name);
            assert.equal(mine.length, 1, `${policy.name}: ${JSON.stringify(mine)}`);
            assert.ok(mine[0].message.includes(`can't run policy '${policy.name}' during preview`), mine[0].message);
        }
    });
});
