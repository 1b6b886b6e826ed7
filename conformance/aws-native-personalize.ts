// Checks the types of components/aws-native-personalize.ts against @pulumi/aws-native's own
// declarations. Not part of `tsc --noEmit` (loading those declarations is what the types there
// avoid): run `npm run check:aws-native` after changing them or the package's version.
import type * as real from "@pulumi/aws-native/personalize";
import type * as ours from "../components/aws-native-personalize";

/** Compiles only if `Ours` is assignable to `Real`. */
type Within<Real, Ours extends Real> = Ours;

// The package's classes can stand in for ours: they take our arguments and have our outputs.
export type Classes = Within<ours.PersonalizeModule, Pick<typeof real, "DatasetGroup" | "Schema" | "Dataset">>;
// Every argument we pass is one the package takes, with the same types.
export type Arguments = [
    Within<real.DatasetGroupArgs, ours.DatasetGroupArgs>,
    Within<real.SchemaArgs, ours.SchemaArgs>,
    Within<real.DatasetArgs, ours.DatasetArgs>,
];
// Our names for the enums are the package's.
export type Enums = [
    Within<real.DatasetType, ours.DatasetTypeName>,
    Within<ours.DatasetTypeName, real.DatasetType>,
    Within<real.DatasetGroupDomain, ours.Domain>,
    Within<real.SchemaDomain, ours.Domain>,
];
