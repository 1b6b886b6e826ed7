/**
 * Checks CSV files for Amazon Personalize import before upload.
 *
 *   npx ts-node --transpile-only datacheck/cli.ts <file-or-folder>… [--type FILE=TYPE] [--schema FILE=SCHEMA.json]
 *       [--header-only-above SIZE] [--cache DIR] [--max-problems N]
 *
 * Folders expand to the *.csv files directly in them; s3://bucket/prefix/ to the data objects in it. The dataset type
 * comes from --type, from the file name (interactions*.csv, items*.csv, users*.csv, actions*.csv,
 * action_interactions*.csv), or for an S3 object from its folder's name. Prints every problem as
 * `path:line: rule: message`, then one summary line per file. Exit status: 0 clean, 1 problems found, 2 usage error
 * or nothing to check, 3 S3 could not be read.
 */
import { readdirSync, statSync } from "fs";
import * as path from "path";
import {
    DATASET_FILE_NAMES,
    DATASET_TYPES,
    DataFile,
    DatasetType,
    checkBatchInputFiles,
    checkDataFiles,
    datasetTypeFromFileName,
    formatReport,
    plural,
} from "./";
import { parseSize } from "./size";
import { Progress, type ProgressStream } from "./progress";
import { expandS3Input, S3InputError } from "./s3-inputs";
import { isS3Uri, S3ReadError } from "./sources/s3-client";

const USAGE = `usage: check-data <file-or-folder>… [--type FILE=${DATASET_TYPES.join("|")}] [--schema FILE=SCHEMA.json]
                  [--header-only-above SIZE] [--cache DIR] [--max-problems N] [--batch-input DIR]
       (from the project: npm run check-data -- <arguments>)

Checks CSV files against Amazon Personalize's import format, and batch input files (.json, .jsonl: JSON
Lines) against the batch job input format, before they are uploaded. A folder stands for the .csv files
directly in it. Data in S3 is read where it lives: s3://bucket/prefix/ stands for the objects in it
(markers and sub-folders are named in warnings), s3://bucket/key for one object; an object's dataset
may come from its folder's name (s3://bucket/import/interactions/part-00000.csv). S3 is read with the
AWS SDK's default credentials and region; AWS_ENDPOINT_URL_S3 (or AWS_ENDPOINT_URL) points it at an
S3-compatible store. Prints each problem as path:line: rule: message, then one line per file.

  --type FILE=TYPE            the dataset of FILE when its name doesn't say it (${DATASET_FILE_NAMES})
  --schema FILE=SCHEMA.json   check FILE against a Personalize schema (the Avro JSON CreateSchema takes)
  --header-only-above SIZE    files larger than SIZE (e.g. 10GB, 500MB) get their header checked, not every row
  --cache DIR                 keep results of unchanged files (objects: same bucket, key, size and ETag) in DIR
  --max-problems N            problems shown per file (default 20)
  --batch-input DIR           also check the .json and .jsonl batch input files directly in DIR (batchInputDir)
  --help                      this text

Exit status: 0 no problem, 1 problems found, 2 bad arguments or nothing to check (an empty folder or
prefix), 3 S3 could not be read (no credentials, access denied, no such bucket).`;

class UsageError extends Error {}

/** Asked for with --help: the usage goes to stdout and the command succeeds. */
class HelpRequest extends Error {}

function sizeArgument(text: string): number {
    const size = parseSize(text);
    if (size === undefined) throw new UsageError(`not a size: ${text} (e.g. 500MB, 10GB)`);
    return size;
}

function parseAssignment(flag: string, value: string | undefined): [string, string] {
    const at = value?.lastIndexOf("=") ?? -1;
    if (value === undefined || at <= 0 || at === value.length - 1) throw new UsageError(`${flag} takes FILE=VALUE`);
    const file = value.slice(0, at);
    return [isS3Uri(file) ? file : path.resolve(file), value.slice(at + 1)];
}

interface Arguments {
    inputs: string[];
    batchInputDirs: string[];
    types: Map<string, DatasetType>;
    schemas: Map<string, string>;
    headerOnlyAboveBytes?: number;
    cacheDir?: string;
    maxProblemsPerFile?: number;
}

function parseArguments(argv: string[]): Arguments {
    const args: Arguments = { inputs: [], batchInputDirs: [], types: new Map(), schemas: new Map() };
    for (let i = 0; i < argv.length; i++) {
        const arg = argv[i];
        const value = () => {
            if (i + 1 >= argv.length) throw new UsageError(`${arg} needs a value`);
            return argv[++i];
        };
        switch (arg) {
            case "--type": {
                const [file, type] = parseAssignment(arg, value());
                if (!DATASET_TYPES.includes(type as DatasetType))
                    throw new UsageError(`unknown dataset type ${type}; use ${DATASET_TYPES.join(", ")}`);
                args.types.set(file, type as DatasetType);
                break;
            }
            case "--schema": {
                const [file, schema] = parseAssignment(arg, value());
                args.schemas.set(file, schema);
                break;
            }
            case "--header-only-above":
                args.headerOnlyAboveBytes = sizeArgument(value());
                break;
            case "--batch-input":
                args.batchInputDirs.push(value());
                break;
            case "--cache":
                args.cacheDir = value();
                break;
            case "--max-problems": {
                const n = Number(value());
                if (!Number.isInteger(n) || n < 1) throw new UsageError("--max-problems takes a positive integer");
                args.maxProblemsPerFile = n;
                break;
            }
            case "--help":
            case "-h":
                throw new HelpRequest();
            default:
                if (arg.startsWith("-")) throw new UsageError(`unknown option ${arg}`);
                args.inputs.push(arg);
        }
    }
    if (args.inputs.length === 0 && args.batchInputDirs.length === 0) throw new UsageError("no files or folders given");
    return args;
}

const isBatchInput = (file: string) => /\.jsonl?$/i.test(file);

/** The files directly in `folder` that `wanted` picks, sorted; a usage error when there are none. */
function filesIn(folder: string, wanted: (name: string) => boolean, what: string): string[] {
    const files = readdirSync(folder)
        .filter(wanted)
        .sort()
        .map(name => path.join(folder, name));
    if (files.length === 0) throw new UsageError(`no ${what} files in ${folder}`);
    return files;
}

function isFolder(input: string): boolean {
    try {
        return statSync(input).isDirectory();
    } catch {
        throw new UsageError(`no such file or folder: ${input}`);
    }
}

/** The CSV files to check, with their dataset, and the batch input files. */
function expandInputs(args: Arguments): { csv: DataFile[]; batchInput: string[] } {
    const paths = args.inputs
        .filter(input => !isS3Uri(input))
        .flatMap(input => (isFolder(input) ? filesIn(input, name => name.toLowerCase().endsWith(".csv"), ".csv") : [input]));
    const batchInput = [
        ...paths.filter(isBatchInput),
        ...args.batchInputDirs.flatMap(dir => {
            if (!isFolder(dir)) throw new UsageError(`--batch-input takes a folder, got the file ${dir}`);
            return filesIn(dir, isBatchInput, ".json or .jsonl");
        }),
    ];
    const csv = paths
        .filter(file => !isBatchInput(file))
        .map(file => {
            const datasetType = args.types.get(path.resolve(file)) ?? datasetTypeFromFileName(file);
            if (!datasetType)
                throw new UsageError(
                    `cannot tell the dataset type of ${file}: name it ${DATASET_FILE_NAMES}, or pass --type ${file}=interactions`,
                );
            return { path: file, datasetType, schemaPath: args.schemas.get(path.resolve(file)) };
        });
    return { csv, batchInput };
}

/** Where the command writes: the console, or a test's capture. */
export interface Output {
    log(line: string): void;
    error(line: string): void;
}

/** Runs the command on its arguments and returns its exit status; progress goes to `progressStream` when it is a terminal. */
export async function main(argv: string[], out: Output = console, progressStream: ProgressStream = process.stderr): Promise<number> {
    let files: { csv: DataFile[]; batchInput: string[] };
    let args: Arguments;
    try {
        args = parseArguments(argv);
        files = expandInputs(args);
    } catch (e) {
        if (e instanceof HelpRequest) {
            out.log(USAGE);
            return 0;
        }
        if (!(e instanceof UsageError)) throw e;
        out.error(`check-data: ${e.message}\n${USAGE}`);
        return 2;
    }
    let report: Awaited<ReturnType<typeof checkDataFiles>>;
    let progress: Progress | undefined;
    try {
        for (const input of args.inputs.filter(isS3Uri)) {
            const s3 = await expandS3Input(
                input,
                name => args.types.get(name),
                name => args.schemas.get(name),
            );
            files.csv.push(...s3.files);
            for (const warning of s3.warnings) out.error(`warning: ${warning}`);
        }
        const shown = (progress = new Progress(progressStream, files.csv.length));
        report = await checkDataFiles(files.csv, {
            headerOnlyAboveBytes: args.headerOnlyAboveBytes,
            cacheDir: args.cacheDir,
            maxProblemsPerFile: args.maxProblemsPerFile,
            onFile: (index, file, bytes) => shown.file(index, file, bytes),
        });
        shown.done();
    } catch (e) {
        progress?.done();
        // One line each: nothing to check there (2), or S3 refused or couldn't be reached (3).
        if (e instanceof S3InputError) {
            out.error(`check-data: ${e.message}`);
            return 2;
        }
        if (e instanceof S3ReadError) {
            out.error(`check-data: ${e.message}`);
            return 3;
        }
        throw e;
    }
    const batch = await checkBatchInputFiles(files.batchInput, { maxProblemsPerFile: args.maxProblemsPerFile });
    formatReport(report).forEach(line => out.log(line));
    if (files.batchInput.length > 0) formatReport(batch).forEach(line => out.log(line));
    for (const f of report.files) {
        const notes = [f.cached ? "cached" : "", f.headerOnly ? "header only" : "", f.threads > 1 ? `${f.threads} threads` : ""].filter(
            Boolean,
        );
        const rate = f.cached || f.headerOnly || f.seconds === 0 ? "" : `, ${(f.bytes / 1024 ** 2 / f.seconds).toFixed(1)} MB/s`;
        // Users and items are counted in the interactions datasets only (USER_ID and ITEM_ID columns).
        const counted = [
            ...(f.datasetType === "interactions" || f.datasetType === "action-interactions"
                ? [`${f.usersCapped ? "≥" : ""}${plural(f.users, "user")}`]
                : []),
            ...(f.datasetType === "interactions" ? [`${f.itemsCapped ? "≥" : ""}${plural(f.items, "item")}`] : []),
        ];
        out.log(
            `${[`${f.path}: ${f.datasetType}`, plural(f.rows, "row"), ...counted].join(", ")}, ` +
                `${(f.bytes / 1024 ** 2).toFixed(1)} MB${rate}${notes.length ? ` (${notes.join(", ")})` : ""}`,
        );
    }
    for (const f of batch.files)
        out.log(
            `${f.path}: batch input${f.shape ? ` ${f.shape}` : ""}, ${plural(f.records, "record")}, ${(f.bytes / 1024 ** 2).toFixed(1)} MB`,
        );
    return report.ok && batch.ok ? 0 : 1;
}

if (require.main === module) {
    main(process.argv.slice(2)).then(
        code => process.exit(code),
        (e: Error) => {
            console.error(`check-data: ${e.message}`);
            process.exit(2);
        },
    );
}
