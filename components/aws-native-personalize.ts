import type * as pulumi from "@pulumi/pulumi";

/**
 * The three @pulumi/aws-native Personalize resources the program declares, with the types of only
 * the arguments and outputs it uses.
 *
 * Why not `import { Dataset } from "@pulumi/aws-native/personalize"`: each of its declaration files
 * imports the package's `types/input`, `types/output` and `types/enums` (12.8 MB of declarations for
 * every AWS service), which added 247 files, 170 MB and about 5 s to `tsc --noEmit` (see the
 * README). The classes are loaded from the package at run time, unchanged; only their types are
 * written here. `npm run check:aws-native` checks them against the package's own declarations
 * (tsconfig.aws-native.json), and a test pins the version they were checked against.
 */

/** The @pulumi/aws-native version these types were checked against. */
export const CHECKED_VERSION = "1.79.0";

export type DatasetTypeName = "Interactions" | "Items" | "Users";
export type Domain = "ECOMMERCE" | "VIDEO_ON_DEMAND";

export interface DatasetGroupArgs {
    name?: pulumi.Input<string>;
    domain?: pulumi.Input<Domain>;
    kmsKeyArn?: pulumi.Input<string>;
    roleArn?: pulumi.Input<string>;
}

export interface SchemaArgs {
    name?: pulumi.Input<string>;
    schema: pulumi.Input<string>;
    domain?: pulumi.Input<Domain>;
}

export interface DatasetImportJobArgs {
    jobName?: pulumi.Input<string>;
    dataSource?: pulumi.Input<{ dataLocation?: pulumi.Input<string> }>;
    roleArn?: pulumi.Input<string>;
}

export interface DatasetArgs {
    name?: pulumi.Input<string>;
    datasetGroupArn: pulumi.Input<string>;
    datasetType: pulumi.Input<DatasetTypeName>;
    schemaArn: pulumi.Input<string>;
    datasetImportJob?: pulumi.Input<DatasetImportJobArgs>;
}

export interface DatasetGroup extends pulumi.CustomResource {
    readonly datasetGroupArn: pulumi.Output<string>;
}
export interface Schema extends pulumi.CustomResource {
    readonly schemaArn: pulumi.Output<string>;
}
export interface Dataset extends pulumi.CustomResource {
    readonly datasetArn: pulumi.Output<string>;
}

type Constructor<Args, Resource> = new (name: string, args: Args, opts?: pulumi.CustomResourceOptions) => Resource;

export interface PersonalizeModule {
    DatasetGroup: Constructor<DatasetGroupArgs, DatasetGroup>;
    Schema: Constructor<SchemaArgs, Schema>;
    Dataset: Constructor<DatasetArgs, Dataset>;
}

// By module path, as @pulumi/aws is imported: loads the Personalize module alone.
export const personalize: PersonalizeModule = require("@pulumi/aws-native/personalize");
