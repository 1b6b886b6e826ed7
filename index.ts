import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { DataCheckError, InvalidArgumentError } from "./components/errors";
import { PersonalizeDataBucket } from "./components/personalize-data-bucket";
import { PersonalizeDatasets, planImport } from "./components/personalize-datasets";
import { StackConfigError, readStackConfig } from "./components/stack-config";
import { S3ReadError } from "./datacheck/sources/s3-client";

/**
 * The Personalize data bucket of this stack and, with `datasetGroup` set, the datasets its files are
 * imported into. An async program, so that a bad config value or data file (every CSV is checked
 * first) stops it with one clear message before any resource is declared.
 */
export = async () => {
    const { datasetGroup, datasetImportTimeout, ...args } = readStackConfig(__dirname);
    let data: PersonalizeDataBucket;
    let datasets: PersonalizeDatasets | undefined;
    try {
        const plan = planImport({ ...args, datasetGroup, datasetImportTimeout });
        // Check results of unchanged CSVs are kept in the project's git-ignored .cache folder.
        data = await PersonalizeDataBucket.create("personalize-data", {
            ...args,
            dataCheckCacheDir: path.join(__dirname, ".cache", "data-check"),
            ...(plan && { folderPerDatasetType: true }),
        });
        if (plan) datasets = await PersonalizeDatasets.create("personalize-data", plan, data);
    } catch (err) {
        // The component names its argument; the user set it through the config key of the same name.
        if (err instanceof InvalidArgumentError) throw new StackConfigError(err.argument, err.problem);
        // No credentials, access denied: one line that names the folder and the fix.
        if (err instanceof S3ReadError) throw new pulumi.RunError(`dataSource is s3, and the data folders can't be read: ${err.message}`);
        // The problems name file and line; a stack trace would only bury them.
        if (err instanceof DataCheckError) throw new pulumi.RunError(err.message);
        throw err;
    }
    return {
        bucketName: data.bucketName,
        bucketArn: data.bucketArn,
        roleName: data.roleName,
        roleArn: data.roleArn,
        dataLocation: data.dataLocation,
        ...(data.objectUris && { objectUris: data.objectUris }),
        ...(data.datasetLocations && { datasetLocations: data.datasetLocations }),
        ...(data.dataWriterPolicy && { dataWriterPolicy: data.dataWriterPolicy }),
        ...(data.batchInputUris && { batchInputUris: data.batchInputUris }),
        ...(data.batchInputLocation && { batchInputLocation: data.batchInputLocation }),
        ...(data.batchOutputLocation && { batchOutputLocation: data.batchOutputLocation }),
        ...(data.kmsKeyArn && { kmsKeyArn: data.kmsKeyArn }),
        ...(datasets && {
            datasetGroupArn: datasets.datasetGroupArn,
            datasetArns: datasets.datasetArns,
            importJobNames: datasets.importJobNames,
        }),
    };
};
