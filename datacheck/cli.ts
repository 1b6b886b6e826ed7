/**
 * Checks CSV files for Amazon Personalize import before upload.
 *
 *   npm run check-data -- <file-or-folder>… [--type FILE=TYPE] [--schema FILE=SCHEMA.json]
 *       [--header-only-above SIZE] [--cache DIR] [--max-problems N] [--batch-input DIR]
 *
 * Folders expand to the *.csv files directly in them; s3://bucket/prefix/ to the data objects in it. The dataset type
 * comes from --type, from the file name (interactions*.csv, items*.csv, users*.csv, actions*.csv,
 * action_interactions*.csv), or for an S3 object from its folder's name. Prints every problem as
 * `path:line: rule: message`, then one summary line per file. Exit status: 0 clean, 1 problems found, 2 usage error
 * or nothing to check, 3 S3 could not be read. Options are read by Node's util.parseArgs.
 */
import { readdirSync, statSync } from "fs";
import * as path from "path";
import { parseArgs } from "util";
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
import { runDuckDb } from "./engines/sql/command";
import { Progress, type ProgressStream } from "./progress";
import { expandS3Input, S3InputError } from "./s3-inputs";
import { isS3Uri, S3ReadError } from "./sources/s3-client";

const USAGE = `usage: check-data <file-or-folder>… [--type FILE=${DATASET_TYPES.join("|")}] [--schema FILE=SCHEMA.json]
                  [--header-only-above SIZE] [--cache DIR] [--max-problems N] [--batch-input DIR]
                  [--engine stream|duckdb] [--print-sql]
       (npm run check-data -- <arguments>, in any folder of the project: paths are relative to it)

Checks CSV files against Amazon Personalize's import format, and batch input files (.json, .jsonl: JSON
Lines) against the batch job input format, before they are uploaded. A folder stands for the .csv files
directly in it. Data in S3 is read where it lives: s3://bucket/prefix/ stands for the objects in it
(markers and sub-folders are named in warnings), s3://bucket/key for one object; an object's dataset
may come from its folder's name (s3://bucket/import/interactions/part-00000.csv). S3 is read with the
AWS SDK's default credentials and region; AWS_ENDPOINT_URL_S3 (or AWS_ENDPOINT_URL) points it at an
S3-compatible store. Prints each problem as path:line: rule: message, then one line per file.

  --type FILE=TYPE            the dataset of FILE when its name doesn't say it (${DATASET_FILE_NAMES});
                              FILE is a path, or a file name alone when one of the files has it, or an
                              s3:// object or folder
  --schema FILE=SCHEMA.json   check FILE (as for --type) against a Personalize schema (the Avro JSON CreateSchema takes)
  --header-only-above SIZE    files larger than SIZE (e.g. 10GB, 500MB) get their header checked, not every row
  --cache DIR                 keep results of unchanged files (objects: same bucket, key, size and ETag) in DIR
  --max-problems N            problems shown per file (default 20)
  --batch-input DIR           also check the .json and .jsonl batch input files directly in DIR (batchInputDir)
  --engine duckdb             check with the SQL queries Athena runs, on DuckDB in memory (default: stream)
  --print-sql                 with --engine duckdb: print the queries instead of running them
  --help                      this text

Exit status: 0 no problem, 1 problems found, 2 bad arguments or nothing to check (an empty folder or
prefix), 3 S3 could not be read (no credentials, access denied, no such bucket).`;

class UsageError extends Error {}

function sizeArgument(text: string): number {
    const size = parseSize(text);
    if (size === undefined) throw new UsageError(`not a size: ${text} (e.g. 500MB, 10GB)`);
    return size;
}

/** FILE=VALUE of --type and --schema. */
function parseAssignment(flag: string, value: string): [file: string, value: string] {
    const at = value.lastIndexOf("=");
    if (at <= 0 || at === value.length - 1) throw new UsageError(`${flag} takes FILE=VALUE, got ${value}`);
    return [value.slice(0, at), value.slice(at + 1)];
}

interface Arguments {
    inputs: string[];
    batchInputDirs: string[];
    /** --type and --schema as given: FILE (a path, or a file's base name) to the value. */
    types: Array<[file: string, type: DatasetType]>;
    schemas: Array<[file: string, schema: string]>;
    headerOnlyAboveBytes?: number;
    cacheDir?: string;
    maxProblemsPerFile?: number;
    help: boolean;
    engine: "stream" | "duckdb";
    printSql: boolean;
}

function engineArgument(engine: string): "stream" | "duckdb" {
    if (engine !== "stream" && engine !== "duckdb") throw new UsageError(`unknown engine ${engine}; use stream or duckdb`);
    return engine;
}

/** The arguments, read by Node's util.parseArgs: `--type a.csv=items` and `--type=a.csv=items` alike. */
function parseArguments(argv: string[]): Arguments {
    let parsed;
    try {
        parsed = parseArgs({
            args: argv,
            allowPositionals: true,
            strict: true,
            options: {
                type: { type: "string", multiple: true },
                schema: { type: "string", multiple: true },
                "header-only-above": { type: "string" },
                cache: { type: "string" },
                "max-problems": { type: "string" },
                "batch-input": { type: "string", multiple: true },
                help: { type: "boolean", short: "h" },
                engine: { type: "string" },
                "print-sql": { type: "boolean" },
            },
        });
    } catch (e) {
        throw new UsageError((e as Error).message);
    }
    const { values, positionals } = parsed;
    const types = (values.type ?? []).map(v => {
        const [file, type] = parseAssignment("--type", v);
        if (!DATASET_TYPES.includes(type as DatasetType))
            throw new UsageError(`unknown dataset type ${type}; use ${DATASET_TYPES.join(", ")}`);
        return [file, type as DatasetType] as [string, DatasetType];
    });
    const maxProblems = values["max-problems"] === undefined ? undefined : Number(values["max-problems"]);
    if (maxProblems !== undefined && !(Number.isInteger(maxProblems) && maxProblems >= 1))
        throw new UsageError("--max-problems takes a positive integer");
    const args: Arguments = {
        inputs: positionals,
        batchInputDirs: values["batch-input"] ?? [],
        types,
        schemas: (values.schema ?? []).map(v => parseAssignment("--schema", v)),
        headerOnlyAboveBytes: values["header-only-above"] === undefined ? undefined : sizeArgument(values["header-only-above"]),
        cacheDir: values.cache,
        maxProblemsPerFile: maxProblems,
        help: values.help === true,
        engine: values.engine === undefined ? "stream" : engineArgument(values.engine),
        printSql: values["print-sql"] === true,
    };
    if (args.printSql && args.engine === "stream")
        throw new UsageError("--print-sql prints the queries of an SQL engine: add --engine duckdb");
    if (!args.help && args.inputs.length === 0 && args.batchInputDirs.length === 0) throw new UsageError("no files or folders given");
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

/**
 * The value of --type or --schema for each of `files`: FILE names a file by its path, or, when it is a bare file name
 * (no folder), by its base name if exactly one of the files has it (a file in a folder given as input).
 */
function assignmentsTo(files: string[], flag: string, assignments: Array<[file: string, value: string]>): Map<string, string> {
    const byFile = new Map<string, string>();
    for (const [name, value] of assignments) {
        let matches = files.filter(f => path.resolve(f) === path.resolve(name));
        if (matches.length === 0 && path.basename(name) === name) matches = files.filter(f => path.basename(f) === name);
        if (matches.length === 0) throw new UsageError(`${flag} ${name}=${value}: ${name} is none of the files to check`);
        if (matches.length > 1)
            throw new UsageError(
                `${flag} ${name}=${value}: ${matches.length} files are named ${name} (${matches.join(", ")}); give the path of one`,
            );
        byFile.set(matches[0], value);
    }
    return byFile;
}

/** The local CSV files to check, with their dataset, and the batch input files (s3:// inputs: expandS3Inputs). */
function expandInputs(args: Arguments): { csv: DataFile[]; batchInput: string[] } {
    const local = <T>(assignments: Array<[file: string, value: T]>) => assignments.filter(([file]) => !isS3Uri(file));
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
    const csvPaths = paths.filter(file => !isBatchInput(file));
    const types = assignmentsTo(csvPaths, "--type", local(args.types));
    const schemas = assignmentsTo(csvPaths, "--schema", local(args.schemas));
    const csv = csvPaths.map(file => {
        const datasetType = (types.get(file) as DatasetType | undefined) ?? datasetTypeFromFileName(file);
        if (!datasetType)
            throw new UsageError(
                `cannot tell the dataset type of ${file}: name it ${DATASET_FILE_NAMES}, or pass --type ${path.basename(file)}=interactions`,
            );
        return { path: file, datasetType, schemaPath: schemas.get(file) };
    });
    return { csv, batchInput };
}

/**
 * The data objects of the s3:// inputs, each with its dataset and schema (--type and --schema name an object or its
 * folder), and the warnings about what lies beside them. An assignment that names no object or folder listed is a
 * usage error, as for local files.
 */
async function expandS3Inputs(args: Arguments): Promise<{ csv: DataFile[]; warnings: string[] }> {
    const types = new Map(args.types.filter(([file]) => isS3Uri(file)));
    const schemas = new Map(args.schemas.filter(([file]) => isS3Uri(file)));
    const csv: DataFile[] = [];
    const warnings: string[] = [];
    const listed = new Set<string>();
    for (const input of args.inputs.filter(isS3Uri)) {
        const s3 = await expandS3Input(
            input,
            name => types.get(name),
            name => schemas.get(name),
        );
        csv.push(...s3.files);
        warnings.push(...s3.warnings);
        [s3.uri, ...s3.files.map(f => f.path)].forEach(name => listed.add(name));
    }
    for (const [flag, given] of [
        ["--type", types],
        ["--schema", schemas],
    ] as const)
        for (const [name, value] of given)
            if (!listed.has(name)) throw new UsageError(`${flag} ${name}=${value}: ${name} is none of the objects or folders to check`);
    return { csv, warnings };
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
        if (args.help) {
            out.log(USAGE);
            return 0;
        }
        files = expandInputs(args);
    } catch (e) {
        if (!(e instanceof UsageError)) throw e;
        out.error(`check-data: ${e.message}\n${USAGE}`);
        return 2;
    }
    if (args.engine === "duckdb") {
        if (args.inputs.some(isS3Uri)) {
            out.error("check-data: --engine duckdb reads local files; check s3:// inputs with the default engine");
            return 2;
        }
        return runDuckDb(files.csv, { printSql: args.printSql, maxProblemsPerFile: args.maxProblemsPerFile }, out);
    }
    let report: Awaited<ReturnType<typeof checkDataFiles>>;
    let progress: Progress | undefined;
    try {
        const s3 = await expandS3Inputs(args);
        files.csv.push(...s3.csv);
        for (const warning of s3.warnings) out.error(`warning: ${warning}`);
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
        // One line each: bad arguments or nothing to check there (2), S3 refused or couldn't be reached (3).
        if (e instanceof UsageError || e instanceof S3InputError) {
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
    // npm runs a script in the project's folder and says in INIT_CWD where it was typed: paths are the user's.
    if (process.env.npm_lifecycle_event === "check-data" && process.env.INIT_CWD) process.chdir(process.env.INIT_CWD);
    main(process.argv.slice(2)).then(
        code => process.exit(code),
        (e: Error) => {
            console.error(`check-data: ${e.message}`);
            process.exit(2);
        },
    );
}
