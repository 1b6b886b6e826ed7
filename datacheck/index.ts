/**
 * Checks CSV files for Amazon Personalize dataset import before they are uploaded, streaming at close to disk speed
 * with flat memory. Rule ids and messages are in rules.ts; a Problem prints as `path:line: rule: message`.
 *
 * Decisions worth knowing:
 * - Lines are LF-terminated lines of the file (CRLF counts once); a problem names the line its record starts on.
 *   A problem without a line is about the whole file (schema-invalid); one about a dataset as a whole (interactions
 *   minimums, the FULL import size) names the dataset and its files. A rule broken on many rows is one problem with
 *   its number of rows and first lines.
 * - Header names must equal the schema field names; a name that differs only in case is reported (header-case)
 *   but still used for its column, so its values are checked too.
 * - Distinct users and items are counted exactly by 62-bit hashes, up to about 2.9 million users and 730,000 items
 *   per file; past that, counts are lower bounds (usersCapped/itemsCapped), and a file that had not yet shown
 *   25 users with 2+ interactions by then is judged on the users counted.
 * - Interactions minimums are judged only when every interactions file was fully checked (not header-only).
 * - The cache (cacheDir) keeps one JSON per source version (a local file: path, size, stat times) with its latest
 *   check result and the SHA-256 of its bytes (import job names), and beside it the per-user counts of an
 *   interactions file, read only when the minimums across files need them.
 * - Files with more than 64 MB of data (splitAboveBytes) are cut at line breaks and checked on every core
 *   (threads, default os.availableParallelism()), with the same findings and line numbers as on one.
 * - Batch input files (JSON Lines, batch-input.ts) are checked line by line against the documented record shapes.
 */
export { type DatasetType, type DataFile, DATASET_FILE_NAMES, DATASET_TYPES, datasetTypeFromFileName } from "./rules/dataset-type";
export { type CheckOptions, checkDataFiles } from "./check";
export { type Problem, type FileReport, type DataReport, formatProblem, formatReport, plural } from "./report";
export { LIMITS } from "./rules/table";
export { type SourceVersion, ResultCache, localFileVersion } from "./cache";
export { localFileDigest, sourceDigest } from "./digest";
export { type BatchInputReport, checkBatchInputFiles } from "./batch-input";
