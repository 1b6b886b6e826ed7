import * as fs from "node:fs";
import * as path from "node:path";
import { InvalidArgumentError } from "./errors";

/** A file to upload. */
export interface FolderFile {
    /** File name, which is also the last part of its object key. */
    fileName: string;
    /** Absolute path. */
    path: string;
    bytes: number;
}

export interface DataFolder {
    csvFiles: FolderFile[];
    /** Entries that are not CSV files, to be reported as ignored. */
    ignored: string[];
}

export interface BatchInputFolder {
    files: FolderFile[];
    /** Entries that are not .json or .jsonl files, to be reported as ignored. */
    ignored: string[];
}

/** How the messages about a folder name it and its files. */
interface FolderKind {
    folder: string;
    files: string;
    /** What to put in an empty folder. */
    put: string;
}

/**
 * The files directly inside `dir` whose extension is one of `extensions`, sorted by name so the program declares
 * them in a stable order, and the other entries. Fails, naming the folder and the argument, when none is there.
 */
function readFolder(argument: string, dir: string, extensions: string[], kind: FolderKind): { files: FolderFile[]; ignored: string[] } {
    const folder = path.resolve(dir);
    let entries: fs.Dirent[];
    try {
        entries = fs.readdirSync(folder, { withFileTypes: true });
    } catch (err) {
        const code = (err as NodeJS.ErrnoException).code;
        const why = code === "ENOENT" ? "does not exist" : code === "ENOTDIR" ? "is not a folder" : `cannot be read (${code})`;
        throw new InvalidArgumentError(
            argument,
            `${kind.folder} folder "${folder}" ${why}; point it at the folder that holds your ${kind.files}`,
        );
    }
    const files: FolderFile[] = [];
    const ignored: string[] = [];
    for (const entry of entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
        const file = path.join(folder, entry.name);
        const stat = fs.statSync(file);
        if (!stat.isFile() || !extensions.includes(path.extname(entry.name).toLowerCase())) {
            ignored.push(file);
            continue;
        }
        // No per-file size limit: a BucketObject (aws_s3_bucket_object) no longer uploads in one PUT, which S3 takes
        // up to 5 GB (pulumi-aws #1703), but through the AWS SDK's multipart upload manager, up to S3's 5 TB per
        // object — hashicorp/terraform-provider-aws internal/service/s3/bucket_object.go, resourceBucketObjectUpload:
        // `uploader := manager.NewUploader(conn)` (object.go does the same for aws_s3_object). What binds is the
        // size limit of the Personalize job that reads the files, checked by the data checks.
        files.push({ fileName: entry.name, path: file, bytes: stat.size });
    }
    if (files.length === 0) {
        throw new InvalidArgumentError(
            argument,
            `${kind.folder} folder "${folder}" holds no ${extensions.join(" or ")} file; put your ${kind.put} in it`,
        );
    }
    return { files, ignored };
}

/** The CSV files directly inside `dir`: the data Personalize imports. */
export function readDataFolder(argument: string, dir: string): DataFolder {
    const { files, ignored } = readFolder(argument, dir, [".csv"], { folder: "data", files: "CSV files", put: "Personalize CSV files" });
    return { csvFiles: files, ignored };
}

/** The JSON Lines files directly inside `dir`: the input of batch inference and batch segment jobs. */
export function readBatchInputFolder(argument: string, dir: string): BatchInputFolder {
    return readFolder(argument, dir, [".json", ".jsonl"], {
        folder: "batch input",
        files: "batch input files",
        put: "batch inference or batch segment job input files (JSON Lines)",
    });
}
