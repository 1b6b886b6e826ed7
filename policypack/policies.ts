import type { StackValidationPolicy } from "@pulumi/policy";
import { knownConditionKeys } from "./policies/known-condition-keys";
import { noPublicAccess } from "./policies/no-public-access";
import { noVpcOnlyBucketPolicy } from "./policies/no-vpc-only-bucket-policy";
import { personalizeBucketAccess } from "./policies/personalize-bucket-access";
import { personalizeKmsKeyAccess } from "./policies/personalize-kms-key-access";
import { personalizeKmsKeyOutsideStack } from "./policies/personalize-kms-key-outside-stack";
import { personalizeDatasetImport } from "./policies/personalize-dataset-import";
import { personalizeDatasetImportUnverified } from "./policies/personalize-dataset-import-unverified";
import { personalizeLeastPrivilege } from "./policies/personalize-least-privilege";
import { personalizeRoleAccess } from "./policies/personalize-role-access";
import { personalizeRoleTrust } from "./policies/personalize-role-trust";
import { policyDocumentValidity } from "./policies/policy-document-validity";

/** Every policy of the pack, as plain objects any CrossGuard harness can run without starting the pack. */
export const policies: StackValidationPolicy[] = [
    personalizeBucketAccess,
    noVpcOnlyBucketPolicy,
    personalizeRoleTrust,
    personalizeRoleAccess,
    noPublicAccess,
    policyDocumentValidity,
    knownConditionKeys,
    personalizeLeastPrivilege,
    personalizeKmsKeyAccess,
    personalizeKmsKeyOutsideStack,
    personalizeDatasetImport,
    personalizeDatasetImportUnverified,
];
