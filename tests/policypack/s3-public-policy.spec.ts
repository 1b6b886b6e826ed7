import assert from "node:assert/strict";
import { parsePolicy, type Statement } from "../../policypack/iam";
import { classifyStatement, whyNotPinning } from "../../policypack/aws/s3-public-policy";

function statement(extra: Record<string, unknown>): Statement {
    const doc = {
        Version: "2012-10-17",
        Statement: [{ Effect: "Allow", Principal: "*", Action: "s3:GetObject", Resource: "arn:aws:s3:::b/*", ...extra }],
    };
    // A round trip through JSON drops the elements an override sets to undefined.
    const parsed = parsePolicy(JSON.stringify(doc), "resource");
    if (!parsed.ok) throw new Error(parsed.problems.join("; "));
    return parsed.statements[0];
}
const pinned = (condition: object) => !classifyStatement(statement({ Condition: condition })).public;
const why = (operator: string, key: string, ...values: string[]) =>
    whyNotPinning(statement({ Condition: { [operator]: { [key]: values } } }).conditions[0]);

describe("S3's meaning of public (s3-public-policy)", () => {
    it('counts "*", {"AWS": "*"}, NotPrincipal and an identity provider as everyone; named principals and Deny are not public', () => {
        const grantee = (extra: Record<string, unknown>) => {
            const v = classifyStatement(statement(extra));
            return v.public ? v.grantee : "not public";
        };
        assert.equal(grantee({}), 'everyone ("*")');
        assert.equal(grantee({ Principal: { AWS: ["arn:aws:iam::111122223333:root", "*"] } }), 'everyone ("*")');
        assert.equal(
            grantee({ Principal: undefined, NotPrincipal: { AWS: "arn:aws:iam::111122223333:root" } }),
            "every principal but those in NotPrincipal",
        );
        assert.equal(
            grantee({ Principal: { Federated: "graph.facebook.com" } }),
            'anyone who signs in with "graph.facebook.com" (Federated)',
        );
        assert.equal(grantee({ Principal: { AWS: "arn:aws:iam::111122223333:root" } }), "not public");
        assert.equal(grantee({ Principal: { Service: "personalize.amazonaws.com" } }), "not public");
        assert.equal(grantee({ Effect: "Deny" }), "not public");
    });

    it("only bad actions make a statement public, named as the statement writes them", () => {
        const bad = (extra: Record<string, unknown>) => {
            const v = classifyStatement(statement(extra));
            return v.public ? v.badActions : [];
        };
        assert.deepEqual(bad({ Action: ["s3:ReplicateObject", "s3:GetObject", "s3:PutObject"] }), ["s3:GetObject", "s3:PutObject"]);
        assert.deepEqual(bad({ Action: ["s3:AbortMultipartUpload", "s3:RestoreObject", "s3:DeleteObject", "s3:ListBucket"] }), [
            "s3:AbortMultipartUpload",
            "s3:RestoreObject",
            "s3:DeleteObject",
            "s3:ListBucket",
        ]);
        assert.deepEqual(bad({ Action: ["s3:*", "*", "s3:*Object"] }), ["s3:*", "*", "s3:*Object"]);
        assert.deepEqual(bad({ Action: "s3:GetNewThing" }), ["s3:GetNewThing"], "a name the catalog doesn't know yet still reads as bad");
        assert.deepEqual(bad({ Action: ["s3:ReplicateObject", "s3:CreateJob", "s3:ReplicateTags"] }), []);
        assert.deepEqual(
            bad({
                Action: undefined,
                NotAction: ["s3:Get*", "s3:List*", "s3:Put*", "s3:Delete*", "s3:AbortMultipartUpload", "s3:RestoreObject"],
            }),
            [],
        );
        const notAction = bad({
            Action: undefined,
            NotAction: ["s3:Get*", "s3:List*", "s3:Put*", "s3:Delete*", "s3:AbortMultipartUpload"],
        });
        assert.deepEqual(notAction, ["s3:RestoreObject"]);
    });

    it("is pinned by fixed values of the keys S3 lists, with the operators that hold only for them", () => {
        for (const condition of [
            { StringEquals: { "aws:PrincipalOrgID": "o-abc123def4" } },
            { StringEqualsIgnoreCase: { "AWS:SOURCEACCOUNT": "111122223333" } },
            { StringLike: { "aws:SourceVpce": "vpce-1a2b3c4d" } },
            { "ForAnyValue:StringEquals": { "aws:PrincipalAccount": "111122223333" } },
            { StringEquals: { "aws:SourceOwner": "111122223333" } },
            { StringEquals: { "s3:x-amz-server-side-encryption-aws-kms-key-id": "arn:aws:kms:eu-west-1:111122223333:key/k" } },
            { StringEquals: { "aws:VpceAccount": "111122223333", "aws:VpceOrgID": "o-abc123def4", "aws:SourceVpc": "vpc-1" } },
            { ArnEquals: { "aws:SourceArn": "arn:aws:sns:us-east-1:111122223333:topic" } },
            { ArnEquals: { "aws:SourceVpcArn": "arn:aws:ec2:us-east-1:111122223333:vpc/vpc-1" } },
            { ArnLike: { "aws:PrincipalArn": "arn:aws:iam::111122223333:role/*" } },
            { StringLike: { "aws:PrincipalOrgPaths": "o-abc123def4/r-ab12/*" } },
            { StringEquals: { "aws:VpceOrgPaths": "o-abc123def4/r-ab12/ou-ab12-11111111/" } },
            { StringEquals: { "aws:PrincipalServiceName": "personalize.amazonaws.com" } },
            { Bool: { "aws:PrincipalIsAWSService": "true" } },
            { StringEquals: { "aws:userid": "AIDAEXAMPLE" } },
            { StringLike: { "aws:userid": "AROAEXAMPLE:*" } },
            { IpAddress: { "aws:SourceIp": ["203.0.113.0/24", "11.0.0.0/8", "2001:db8::/32"] } },
            { Bool: { "aws:SecureTransport": "true" }, StringEquals: { "aws:SourceAccount": "111122223333" } },
        ]) {
            assert.ok(pinned(condition), JSON.stringify(condition));
        }
    });

    it("says why a condition doesn't pin", () => {
        assert.equal(why("Bool", "aws:SecureTransport", "true"), "aws:SecureTransport is not a key S3 counts as limiting who may call");
        assert.equal(
            why("StringEqualsIfExists", "aws:PrincipalOrgID", "o-abc123def4"),
            "…IfExists also holds when the request lacks the key",
        );
        assert.equal(
            why("ForAllValues:StringEquals", "aws:PrincipalOrgID", "o-abc123def4"),
            "ForAllValues: also holds when the request lacks the key",
        );
        assert.equal(why("StringNotEquals", "aws:SourceAccount", "111122223333"), "StringNotEquals lets every other value through");
        assert.equal(why("NotIpAddress", "aws:SourceIp", "203.0.113.0/24"), "NotIpAddress lets every other value through");
        assert.equal(why("StringLike", "aws:SourceAccount", "1111*"), '"1111*" has a wildcard');
        assert.equal(why("StringEquals", "aws:SourceAccount", "111122223333", "*"), '"*" has a wildcard');
        assert.equal(
            why("StringEquals", "aws:SourceAccount", "${aws:SourceAccount}"),
            '"${aws:SourceAccount}" is a policy variable, not a fixed value',
        );
        assert.equal(why("StringEquals", "aws:SourceArn", "arn:aws:sns:us-east-1:111122223333:t"), "only ArnEquals pin aws:SourceArn");
        assert.equal(why("ArnEquals", "aws:SourceArn", "arn:aws:sns:us-east-1:*:t"), '"arn:aws:sns:us-east-1:*:t" has no fixed account');
        assert.equal(
            why("ArnLike", "aws:PrincipalArn", "arn:aws:iam::111122223333:*/x", "arn:*:iam::111122223333:root"),
            '"arn:*:iam::111122223333:root" has a wildcard outside its resource part',
        );
        assert.equal(
            why("ArnLike", "aws:PrincipalArn", "arn:aws:iam:*:111122223333:root"),
            '"arn:aws:iam:*:111122223333:root" has a wildcard outside its resource part',
        );
        assert.equal(why("StringLike", "aws:PrincipalOrgPaths", "o-*/r-ab12/"), '"o-*/r-ab12/" is not a fixed organisation path');
        assert.equal(why("StringEquals", "aws:PrincipalServiceName", "personalize"), '"personalize" is not a service name');
        assert.equal(why("Bool", "aws:PrincipalIsAWSService", "false"), '"false" is not "true"');
        assert.equal(why("StringLike", "aws:userid", "AROAEXAMPLE:session*"), '"AROAEXAMPLE:session*" is not of the form AROLEID:*');
        assert.equal(why("StringEquals", "aws:userid", "AROAEXAMPLE:*"), '"AROAEXAMPLE:*" has a wildcard');
        assert.equal(why("StringLike", "aws:userid", "*:*"), '"*:*" is not of the form AROLEID:*');
        assert.equal(why("StringLike", "aws:userid", "AROA*"), '"AROA*" is not of the form AROLEID:*');
    });

    it("counts aws:SourceIp ranges no broader than /8 (IPv4) or /32 (IPv6), each of them", () => {
        assert.equal(why("IpAddress", "aws:SourceIp", "10.0.0.0/8"), undefined);
        assert.equal(why("IpAddress", "aws:SourceIp", "8.0.0.0/7"), '"8.0.0.0/7" is broader than /8');
        assert.equal(why("IpAddress", "aws:SourceIp", "0.0.0.0/1", "128.0.0.0/1"), '"0.0.0.0/1" is broader than /8');
        assert.equal(why("IpAddress", "aws:SourceIp", "203.0.113.0/24", "128.0.0.0/1"), '"128.0.0.0/1" is broader than /8');
        assert.equal(
            why("IpAddress", "aws:SourceIp", "10.0.0.0/1"),
            '"10.0.0.0/1" is broader than /8',
            "a private address doesn't make a /1 private",
        );
        assert.equal(why("IpAddress", "aws:SourceIp", "0.0.0.0/0"), '"0.0.0.0/0" is broader than /8');
        assert.equal(why("IpAddress", "aws:SourceIp", "2001:db8::/32"), undefined);
        assert.equal(why("IpAddress", "aws:SourceIp", "2001:db8::/31"), '"2001:db8::/31" is broader than /32');
        assert.equal(why("IpAddress", "aws:SourceIp", "::/0"), '"::/0" is broader than /32');
        assert.equal(why("IpAddress", "aws:SourceIp", "203.0.113.7"), '"203.0.113.7" is not a CIDR block (address/prefix length)');
        assert.equal(why("IpAddress", "aws:SourceIp", "203.0.113.0/33"), '"203.0.113.0/33" is not a CIDR block (address/prefix length)');
        assert.equal(why("IpAddress", "aws:SourceIp", "2001:db8::/128"), undefined);
        assert.equal(why("IpAddress", "aws:SourceIp", "2001:db8::/129"), '"2001:db8::/129" is not a CIDR block (address/prefix length)');
    });

    it("lists every clause that fails to pin, with its reason, and reports the one that pins", () => {
        const v = classifyStatement(
            statement({
                Condition: {
                    IpAddress: { "aws:SourceIp": ["0.0.0.0/1", "128.0.0.0/1"] },
                    "ForAllValues:StringEquals": { "aws:PrincipalOrgID": "o-1" },
                },
            }),
        );
        assert.ok(v.public);
        assert.deepEqual(
            v.unpinned.map(u => `${u.clause.operator} ${u.clause.key}: ${u.why}`),
            [
                'IpAddress aws:SourceIp: "0.0.0.0/1" is broader than /8',
                "ForAllValues:StringEquals aws:PrincipalOrgID: ForAllValues: also holds when the request lacks the key",
            ],
        );
        const p = classifyStatement(
            statement({ Condition: { Bool: { "aws:SecureTransport": "true" }, StringEquals: { "aws:SourceAccount": "1" } } }),
        );
        assert.ok(!p.public);
        assert.equal(p.pinnedBy?.key, "aws:SourceAccount");
    });
});
