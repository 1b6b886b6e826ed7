/**
 * Checks CSV files for Amazon Personalize import before upload.
 *
 *   npx ts-node --transpile-only datacheck/cli.ts <file-or-folder>… [--type FILE=TYPE] [--schema FILE=SCHEMA.json]
 *       [--header-only-above SIZE] [--cache DIR] [--max-problems N]
 *
 * Folders expand to the *.csv files directly in them. The dataset type comes from --type or from the file name
 * (interactions*.csv, items*.csv, users*.csv, actions*.csv, action_interactions*.csv). Prints every problem as `path:line: rule: message`, then one summary
 * line per file. Exit status: 0 clean, 1 problems found, 2 usage error.
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
import { runDuckDb } from "./engines/sql/command";

const USAGE = `usage: check-data <file-or-folder>… [--type FILE=${DATASET_TYPES.join("|")}] [--schema FILE=SCHEMA.json]
                  [--header-only-above SIZE] [--cache DIR] [--max-problems N] [--batch-input DIR]
                  [--engine stream|duckdb] [--print-sql]
       (from the project: npm run check-data -- <arguments>)

Checks CSV files against Amazon Personalize's import format, and batch input files (.json, .jsonl: JSON
Lines) against the batch job input format, before they are uploaded. A folder stands for the .csv files
directly in it. Prints each problem as path:line: rule: message, then one line per file.

  --type FILE=TYPE            the dataset of FILE when its name doesn't say it (${DATASET_FILE_NAMES})
  --schema FILE=SCHEMA.json   check FILE against a Personalize schema (the Avro JSON CreateSchema takes)
  --header-only-above SIZE    files larger than SIZE (e.g. 10GB, 500MB) get their header checked, not every row
  --cache DIR                 keep results of unchanged files in DIR
  --max-problems N            problems shown per file (default 20)
  --batch-input DIR           also check the .json and .jsonl batch input files directly in DIR (batchInputDir)
  --engine duckdb             check with the SQL queries Athena runs, on DuckDB in memory (default: stream)
  --print-sql                 with --engine duckdb: print the queries instead of running them
  --help                      this text

Exit status: 0 no problem, 1 problems found, 2 bad arguments.`;

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
    return [path.resolve(value.slice(0, at)), value.slice(at + 1)];
}

interface Arguments {
    inputs: string[];
    batchInputDirs: string[];
    types: Map<string, DatasetType>;
    schemas: Map<string, string>;
    headerOnlyAboveBytes?: number;
    cacheDir?: string;
    maxProblemsPerFile?: number;
    engine: "stream" | "duckdb";
    printSql: boolean;
}

function parseArguments(argv: string[]): Arguments {
    const args: Arguments = { inputs: [], batchInputDirs: [], types: new Map(), schemas: new Map(), engine: "stream", printSql: false };
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
            case "--engine": {
                const engine = value();
                if (engine !== "stream" && engine !== "duckdb") throw new UsageError(`unknown engine ${engine}; use stream or duckdb`);
                args.engine = engine;
                break;
            }
            case "--print-sql":
                args.printSql = true;
                break;
            case "--help":
            case "-h":
                throw new HelpRequest();
            default:
                if (arg.startsWith("-")) throw new UsageError(`unknown option ${arg}`);
                args.inputs.push(arg);
        }
    }
    if (args.inputs.length === 0 && args.batchInputDirs.length === 0) throw new UsageError("no files or folders given");
    if (args.printSql && args.engine === "stream")
        throw new UsageError("--print-sql prints the queries of an SQL engine: add --engine duckdb");
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
    const paths = args.inputs.flatMap(input =>
        isFolder(input) ? filesIn(input, name => name.toLowerCase().endsWith(".csv"), ".csv") : [input],
    );
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

/** Runs the command on its arguments and returns its exit status. */
export async function main(argv: string[], out: Output = console): Promise<number> {
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
    if (args.engine === "duckdb")
        return runDuckDb(files.csv, { printSql: args.printSql, maxProblemsPerFile: args.maxProblemsPerFile }, out);
    const report = await checkDataFiles(files.csv, {
        headerOnlyAboveBytes: args.headerOnlyAboveBytes,
        cacheDir: args.cacheDir,
        maxProblemsPerFile: args.maxProblemsPerFile,
    });
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
