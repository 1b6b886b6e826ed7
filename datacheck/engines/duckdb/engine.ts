/**
 * The SQL engine on DuckDB (@duckdb/node-api, in memory): the queries Athena runs, on local files loaded as the
 * raw lines Athena reads. It proves the generated SQL offline and checks local files without AWS.
 */
import { DuckDBConnection, DuckDBInstance } from "@duckdb/node-api";
import { DatasetType } from "../../rules/dataset-type";
import { duckdbDialect } from "../sql/dialect";
import { SizedDataFile, SqlEngine, SqlRow } from "../sql/check";
import { createRawLinesTable, loadRawLines, splitRawLines } from "./raw-lines";

export interface DuckDbEngine extends SqlEngine {
    /** Replaces the loaded lines with those of `files`. */
    load(files: SizedDataFile[]): Promise<void>;
    close(): void;
}

export async function openDuckDb(): Promise<DuckDbEngine> {
    const instance = await DuckDBInstance.create(":memory:");
    const connection: DuckDBConnection = await instance.connect();
    await createRawLinesTable(connection);
    return {
        dialect: duckdbDialect,
        async load(files) {
            for (const file of files) await loadRawLines(connection, file.path, file.size);
            await splitRawLines(connection);
        },
        async run(sql: string, _type: DatasetType): Promise<SqlRow[]> {
            const reader = await connection.runAndReadAll(sql);
            return reader.getRowObjectsJS() as SqlRow[];
        },
        close() {
            connection.closeSync();
            instance.closeSync();
        },
    };
}
