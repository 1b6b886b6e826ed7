/**
 * Files as the raw lines Athena's table reads, loaded into DuckDB: the lines the checks run on must be the lines
 * Athena sees, and DuckDB's own CSV reader splits and drops differently (it reads CRLF as two line breaks and stops
 * at invalid UTF-8). Athena's engine (Trino) reads a text file with TextLineReader
 * (lib/trino-hive-formats/src/main/java/io/trino/hive/formats/line/text/TextLineReader.java in trinodb/trino):
 * a line ends at LF, CR or CRLF, a UTF-8 byte-order mark at the start of a file is skipped, and a last line without
 * a line break is a line; Hadoop's LineReader (readDefaultLine, hadoop-common) ends lines at the same three.
 *
 * Pieces of whole lines go to DuckDB as they are, one row per piece (one call per row is what costs), and
 * DuckDB splits them; a piece that is not valid UTF-8 goes line by line, each invalid line as its text with
 * U+FFFD for invalid sequences (what Trino's from_utf8 makes of it) and its length in bytes.
 */
import { isUtf8 } from "buffer";
import type { DuckDBConnection } from "@duckdb/node-api";
import { openSource } from "../../sources/source";

const PIECE_BYTES = 4 << 20;
/** A line longer than this stops the load: DuckDB would hold it whole, and Athena fails on long lines too. */
export const MAX_LINE_BYTES = 64 << 20;

const LF = 0x0a;
const CR = 0x0d;
const BOM = Buffer.from([0xef, 0xbb, 0xbf]);

export async function createRawLinesTable(connection: DuckDBConnection): Promise<void> {
    await connection.run("CREATE TABLE raw_pieces (path VARCHAR, piece BLOB, utf8 BOOLEAN, bytes BIGINT)");
}

/** Splits raw_pieces into the raw_lines table the DuckDB dialect reads: path, line, utf8, bytes. */
export async function splitRawLines(connection: DuckDBConnection): Promise<void> {
    await connection.run(`CREATE OR REPLACE TABLE raw_lines AS
        SELECT path, line, utf8, coalesce(bytes, strlen(line)) AS bytes
        FROM (SELECT path, utf8, bytes, unnest(string_split(replace(replace(decode(piece), chr(13) || chr(10), chr(10)), chr(13), chr(10)), chr(10))) AS line FROM raw_pieces)`);
    await connection.run("DELETE FROM raw_pieces");
}

/** The line breaks at the end of a piece that ends a line, or of the file: LF, CRLF, or (at the end) CR. */
function trailingBreak(buf: Buffer, end: number, eof: boolean): number {
    if (end > 0 && buf[end - 1] === LF) return end >= 2 && buf[end - 2] === CR ? 2 : 1;
    return eof && end > 0 && buf[end - 1] === CR ? 1 : 0;
}

/** Appends one file's lines to raw_pieces. */
export async function loadRawLines(connection: DuckDBConnection, path: string, size: number): Promise<void> {
    const appender = await connection.createAppender("raw_pieces");
    const append = (piece: Buffer, utf8: boolean, bytes: number | null) => {
        appender.appendVarchar(path);
        appender.appendBlob(piece);
        appender.appendBoolean(utf8);
        if (bytes === null) appender.appendNull();
        else appender.appendBigInt(BigInt(bytes));
        appender.endRow();
    };
    const source = await openSource(path);
    try {
        let buf = Buffer.allocUnsafe(PIECE_BYTES);
        let held = 0; // bytes of an unfinished line kept at the front of buf
        let position = 0;
        for (;;) {
            if (held === buf.length) {
                if (buf.length >= MAX_LINE_BYTES)
                    throw new Error(
                        `${path}: a line is longer than ${MAX_LINE_BYTES / 2 ** 20} MB; check this file with the stream engine`,
                    );
                buf = Buffer.concat([buf, Buffer.allocUnsafe(buf.length)]);
            }
            const read = position < size ? await source.read(buf, held, buf.length - held, position) : 0;
            position += read;
            const end = held + read;
            const eof = read === 0 || position >= size;
            let start = 0;
            if (position === read && end >= 3 && buf.subarray(0, 3).equals(BOM)) start = 3;
            // Whole lines only, but for the last piece of the file.
            const cut = eof ? end : buf.lastIndexOf(LF, end - 1) + 1;
            if (cut > start) appendPiece(buf.subarray(start, cut), eof, append);
            if (eof) break;
            held = end - Math.max(cut, start);
            buf.copy(buf, 0, Math.max(cut, start), end);
        }
    } finally {
        await source.close();
        appender.closeSync();
    }
}

/** A piece of whole lines, without its last line break: as one row when valid UTF-8, else line by line. */
function appendPiece(piece: Buffer, eof: boolean, append: (piece: Buffer, utf8: boolean, bytes: number | null) => void): void {
    const text = piece.subarray(0, piece.length - trailingBreak(piece, piece.length, eof));
    if (isUtf8(text)) return append(text, true, null);
    let lineStart = 0;
    for (let i = 0; i <= text.length; i++) {
        if (i < text.length && text[i] !== LF && text[i] !== CR) continue;
        const line = text.subarray(lineStart, i);
        if (isUtf8(line)) append(line, true, null);
        else append(Buffer.from(line.toString("utf8")), false, line.length);
        if (i < text.length && text[i] === CR && text[i + 1] === LF) i++;
        lineStart = i + 1;
    }
}
