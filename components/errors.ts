import { formatReport, type DataReport } from "../datacheck";

/**
 * A bad argument of the component, named so the program can point at the config key that set it.
 * Thrown before any resource is declared.
 */
export class InvalidArgumentError extends Error {
    constructor(
        readonly argument: string,
        readonly problem: string,
    ) {
        super(`${argument}: ${problem}`);
        this.name = "InvalidArgumentError";
    }
}

/** CSV files that fail Personalize's format checks; the message lists every problem found. */
export class DataCheckError extends Error {
    constructor(
        readonly report: DataReport,
        intro = "the CSV files fail Personalize's format checks; fix them before they are uploaded",
    ) {
        super(`${intro}:\n${formatReport(report).join("\n")}`);
        this.name = "DataCheckError";
    }
}
