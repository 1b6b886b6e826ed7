/**
 * Command-line arguments of the project's scripts, parsed by Node's own `util.parseArgs`: `--mb 50` and `--mb=50`
 * alike, `--help`, and an unknown option or a stray argument refused with the usage (exit status 2).
 */
import { parseArgs, type ParseArgsConfig } from "node:util";

type Options = NonNullable<ParseArgsConfig["options"]>;
type Values = ReturnType<typeof parseArgs>["values"];

/** A problem with the arguments, said in words; the usage follows it. */
export class UsageError extends Error {}

/** What the arguments ask for: the script's settings, or to stop with an exit status and a text (the usage). */
export type Parsed<T> = { settings: T } | { status: 0 | 2; text: string };

/**
 * Parses `argv` with the script's `options` (and --help, -h) and reads its settings from the values with `read`,
 * which throws a UsageError for a value it can't take.
 */
export function parseScriptArguments<T>(argv: string[], usage: string, options: Options, read: (values: Values) => T): Parsed<T> {
    try {
        const { values } = parseArgs({ args: argv, options: { ...options, help: { type: "boolean", short: "h" } }, strict: true });
        if (values.help) return { status: 0, text: usage };
        return { settings: read(values) };
    } catch (e) {
        const fromParseArgs = /^ERR_PARSE_ARGS_/.test((e as NodeJS.ErrnoException).code ?? "");
        if (!fromParseArgs && !(e instanceof UsageError)) throw e;
        return { status: 2, text: `${(e as Error).message}\n\n${usage}` };
    }
}

/** The settings the arguments ask for; on --help prints the usage and exits 0, on bad arguments says why and exits 2. */
export function settingsOrExit<T>(parsed: Parsed<T>): T {
    if ("settings" in parsed) return parsed.settings;
    if (parsed.status === 0) console.log(parsed.text);
    else console.error(parsed.text);
    process.exit(parsed.status);
}

/** An option's value as a number above 0 (a whole number if `whole`), or the option's default when not given. */
export function positiveNumber(option: string, text: unknown, fallback: number, whole = false): number {
    if (text === undefined) return fallback;
    const value = Number(text);
    if (typeof text !== "string" || !(value > 0) || !Number.isFinite(value) || (whole && !Number.isInteger(value)))
        throw new UsageError(`--${option} takes a ${whole ? "whole " : ""}number above 0, got ${JSON.stringify(text)}`);
    return value;
}
