import * as fs from "node:fs";
import * as path from "node:path";
import { InvalidArgumentError } from "./errors";

export interface CsvFile {
    /** File name, which is also the last part of its object key. */
    fileName: string;
    /** Absolute path. */
    path: string;
    bytes: number;
}

export interface DataFolder {
    csvFiles: CsvFile[];
    /** Entries that are not CSV files, to be reported as ignored. */
    ignored: string[];
}

/**
 * The CSV files directly inside `dir`, sorted by name so the program declares them in a stable
 * order. Fails, naming the folder and the argument, when there is nothing Personalize could import.
 */
export function readDataFolder(argument: string, dir: string): DataFolder {
    const folder = path.resolve(dir);
    let entries: fs.Dirent[];
    try {
        entries = fs.readdirSync(folder, { withFileTypes: true });
    } catch (err) {
        const code = (err as NodeJS.ErrnoException).code;
        const why = code === "ENOENT" ? "does not exist" : code === "ENOTDIR" ? "is not a folder" : `cannot be read (${code})`;
        throw new InvalidArgumentError(argument, `data folder "${folder}" ${why}; point it at the folder that holds your CSV files`);
    }
    const csvFiles: CsvFile[] = [];
    const ignored: string[] = [];
    for (const entry of entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
        const file = path.join(folder, entry.name);
        const stat = fs.statSync(file);
        if (!stat.isFile() || path.extname(entry.name).toLowerCase() !== ".csv") {
            ignored.push(file);
            continue;
        }
        // No per-file size limit: a BucketObject (aws_s3_bucket_object) no longer uploads in one PUT, which S3 takes
        // up to 5 GB (pulumi-aws #1703), but through the AWS SDK's multipart upload manager, up to S3's 5 TB per
        // object — hashicorp/terraform-provider-aws internal/service/s3/bucket_object.go, resourceBucketObjectUpload:
        // `uploader := manager.NewUploader(conn)` (object.go does the same for aws_s3_object). What binds is the
        // dataset import job's size limit, checked per dataset (data-check/rules.ts LIMITS.fullImportBytes).
        csvFiles.push({ fileName: entry.name, path: file, bytes: stat.size });
    }
    if (csvFiles.length === 0) {
        throw new InvalidArgumentError(argument, `data folder "${folder}" holds no .csv file; put your Personalize CSV files in it`);
    }
    return { csvFiles, ignored };
}
