/**
 * check-data with an SQL engine (--engine duckdb): the file stage, one query per dataset, and the report in the
 * stream engine's form; --print-sql prints the queries instead of running them.
 */
import { statSync } from "fs";
import { DataFile } from "../../rules/dataset-type";
import { formatReport, plural } from "../../report";
import { openDuckDb } from "../duckdb/engine";
import { SizedDataFile, checkWithSql } from "./check";
import { datasetProblems } from "./dataset";

export interface SqlCommandOutput {
    log(line: string): void;
}

export interface SqlCommandOptions {
    printSql: boolean;
    maxProblemsPerFile?: number;
}

/** Runs the DuckDB engine on local files; returns the exit status (0 clean, 1 problems). */
export async function runDuckDb(dataFiles: DataFile[], options: SqlCommandOptions, out: SqlCommandOutput): Promise<number> {
    const files: SizedDataFile[] = dataFiles.map(f => ({ ...f, size: statSync(f.path).size }));
    const db = await openDuckDb();
    try {
        if (options.printSql) {
            const { queries } = await checkWithSql(files, db, { queriesOnly: true });
            for (const { type, sql } of queries) out.log(`-- ${type}\n${sql};\n`);
            return 0;
        }
        const started = process.hrtime.bigint();
        await db.load(files);
        const result = await checkWithSql(files, db, { maxProblemsPerFile: options.maxProblemsPerFile });
        const seconds = Number(process.hrtime.bigint() - started) / 1e9;
        const problems = datasetProblems(result);
        formatReport({ files: result.files, problems }).forEach(line => out.log(line));
        for (const f of result.files)
            out.log(`${f.path}: ${f.datasetType}, ${plural(f.rows, "row")}, ${(f.bytes / 1024 ** 2).toFixed(1)} MB`);
        const mb = files.reduce((sum, f) => sum + f.size, 0) / 1024 ** 2;
        out.log(
            `duckdb: ${plural(files.length, "file")}, ${mb.toFixed(1)} MB in ${seconds.toFixed(1)} s (${(mb / seconds).toFixed(1)} MB/s)`,
        );
        const ok = problems.length === 0 && result.files.every(f => f.problems.length === 0 && f.truncatedProblems === 0);
        return ok ? 0 : 1;
    } finally {
        db.close();
    }
}
