import { getNodePath, getNodeValue, parseTree, printParseErrorCode, type Node, type ParseError } from "jsonc-parser";

/**
 * Reads a policy given as JSON text the way IAM and S3 must take it: strict JSON (no comments, no
 * trailing commas, nothing after the value) and no key twice in one object. `JSON.parse` keeps the
 * last of two equal keys, so a second "Statement" would silently hide the first; here it is a
 * problem naming the key, where it is, and where it was first written.
 *
 * jsonc-parser (MIT) finds and places the problems: its tree keeps every property, duplicates
 * included, with their offsets, and in strict mode it rejects what JSON.parse rejects
 * (tests/iam/json-text.spec.ts checks both agree). It is several times slower than the native
 * JSON.parse, so a document goes through it only when JSON.parse fails or the text holds more
 * property names than the parsed value has properties (a key was written twice).
 */
export type JsonTextResult = { ok: true; value: unknown } | { ok: false; problems: string[] };

const STRICT = { disallowComments: true, allowTrailingComma: false, allowEmptyContent: false };

/** What each jsonc-parser error code means, in words a policy author can act on. */
const SYNTAX_ERRORS: Record<string, string> = {
    InvalidSymbol: "unexpected character (only double-quoted strings, numbers, true, false, null, objects and arrays are JSON)",
    InvalidNumberFormat: "malformed number",
    PropertyNameExpected: "expected a double-quoted property name (a trailing comma is not allowed)",
    ValueExpected: "expected a value (a trailing comma is not allowed)",
    ColonExpected: 'expected ":" after the property name',
    CommaExpected: 'expected "," between elements',
    CloseBraceExpected: 'expected "}"',
    CloseBracketExpected: 'expected "]"',
    EndOfFileExpected: "unexpected text after the end of the document",
    InvalidCommentToken: "comments are not allowed in a policy",
    UnexpectedEndOfComment: "comments are not allowed in a policy",
    UnexpectedEndOfString: "unterminated string",
    UnexpectedEndOfNumber: "unterminated number",
    InvalidUnicode: "malformed \\u escape",
    InvalidEscapeCharacter: "invalid escape character",
    InvalidCharacter: "control character in a string (escape it, e.g. \\n or \\t)",
};

export function readJsonText(text: string): JsonTextResult {
    if (text.trim() === "") return { ok: false, problems: ['Policy text is empty; give a JSON object with a "Statement" element'] };
    let value: unknown;
    try {
        value = JSON.parse(text);
    } catch {
        return problemsOf(text);
    }
    return propertyNamesInText(text) === propertyCount(value) ? { ok: true, value } : problemsOf(text);
}

/**
 * Property names written in valid JSON text: every string token followed by ":" (a string value
 * is followed by ",", "}", "]" or the end). In valid JSON a double quote outside a string always
 * opens one, so matching string tokens from the start never loses step.
 */
function propertyNamesInText(text: string): number {
    let count = 0;
    for (const match of text.matchAll(/"(?:[^"\\]|\\.)*"(\s*:)?/g)) if (match[1] !== undefined) count++;
    return count;
}

/** Properties of every object in a parsed value, where a repeated key has become one. */
function propertyCount(value: unknown): number {
    if (Array.isArray(value)) return value.reduce((sum: number, item) => sum + propertyCount(item), 0);
    if (typeof value !== "object" || value === null) return 0;
    return Object.values(value).reduce((sum: number, item) => sum + propertyCount(item), Object.keys(value).length);
}

/** The syntax error or the repeated keys of a text JSON.parse refused or read with a key lost. */
function problemsOf(text: string): JsonTextResult {
    const errors: ParseError[] = [];
    const root = parseTree(text, errors, STRICT);
    if (errors.length > 0 || root === undefined) {
        // parseTree returns no tree only for empty text, ruled out above, so there is an error to name.
        // Later errors are mostly the parser recovering from the first one: report that one only.
        const first = errors[0];
        const code = printParseErrorCode(first.error);
        const at = lineColumn(text)(first.offset);
        return { ok: false, problems: [`Policy is not valid JSON: ${SYNTAX_ERRORS[code] ?? code} at line ${at}; fix the JSON text`] };
    }
    const duplicates = duplicateKeys(root);
    if (duplicates.length === 0) return { ok: true, value: getNodeValue(root) };
    const position = lineColumn(text);
    const problems = duplicates.map(({ key, first, second }) => {
        const where = pathText(getNodePath(second.parent!.parent!));
        return (
            `Policy text has the key ${JSON.stringify(key)} twice in ${where} (line ${position(first.offset)} and line ${position(second.offset)}); ` +
            "JSON parsers keep only the last one, so the first would be silently dropped: merge them into one key"
        );
    });
    return { ok: false, problems };
}

interface Duplicate {
    key: string;
    /** The property-name nodes of the first and of the repeated key. */
    first: Node;
    second: Node;
}

function duplicateKeys(node: Node, found: Duplicate[] = []): Duplicate[] {
    if (node.type === "object") {
        const seen = new Map<string, Node>();
        for (const property of node.children ?? []) {
            const name = property.children![0];
            const key = name.value as string;
            const first = seen.get(key);
            if (first) found.push({ key, first, second: name });
            else seen.set(key, name);
        }
    }
    for (const child of node.children ?? []) duplicateKeys(child, found);
    return found;
}

/** `the document`, `Statement[0]`, `Statement[0].Condition.StringEquals`. */
function pathText(path: (string | number)[]): string {
    if (path.length === 0) return "the document";
    return path.map((part, i) => (typeof part === "number" ? `[${part}]` : i === 0 ? part : `.${part}`)).join("");
}

/** Offset to 1-based `line:column`, for messages that point into the text like an editor does. */
function lineColumn(text: string): (offset: number) => string {
    const starts = [0];
    for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) === 10) starts.push(i + 1);
    return offset => {
        let line = starts.length - 1;
        while (starts[line] > offset) line--;
        return `${line + 1}:${offset - starts[line] + 1}`;
    };
}
