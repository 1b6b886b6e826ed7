import { PolicyPack } from "@pulumi/policy";
import { policies } from "./policies";

// Only constructs the pack: it starts a gRPC server and never exits, so nothing else imports this file.
new PolicyPack("personalize-bucket-policies", {
    policies,
    enforcementLevel: "mandatory",
    description:
        "Keeps S3 buckets usable by Amazon Personalize: its principal can really get in, VPC-only and public bucket policies are blocked, its service role is trusted and granted correctly.",
});
