import { createHash } from "node:crypto";
import { InvalidArgumentError } from "./errors";

/**
 * S3 general-purpose bucket naming rules (S3 User Guide, "Bucket naming rules"), checked here so a
 * bad name fails at preview with the rule it breaks, not at create time with a provider error.
 */
export function bucketNameProblem(name: string): string | undefined {
    if (name.length < 3 || name.length > 63) return `must be 3 to 63 characters long, got ${name.length}`;
    if (!/^[a-z0-9.-]+$/.test(name)) return "may contain only lowercase letters, digits, dots (.) and hyphens (-)";
    if (!/^[a-z0-9]/.test(name) || !/[a-z0-9]$/.test(name)) return "must begin and end with a letter or digit";
    if (name.includes("..")) return "must not contain two adjacent dots";
    if (/^\d+\.\d+\.\d+\.\d+$/.test(name)) return "must not be formatted as an IP address";
    const badPrefix = ["xn--", "sthree-", "amzn-s3-demo-"].find(p => name.startsWith(p));
    if (badPrefix) return `must not start with "${badPrefix}" (reserved by S3)`;
    const badSuffix = ["-s3alias", "--ol-s3", ".mrap", "--x-s3", "--table-s3"].find(s => name.endsWith(s));
    if (badSuffix) return `must not end with "${badSuffix}" (reserved by S3)`;
    return undefined;
}

export function validateBucketName(argument: string, name: string): string {
    const problem = bucketNameProblem(name);
    if (problem) throw new InvalidArgumentError(argument, `bucket name "${name}" ${problem}`);
    return name;
}

/** IAM role names: 1 to 64 of letters, digits and `+=,.@_-` (IAM API reference, CreateRole). */
export function validateRoleName(argument: string, name: string): string {
    if (!/^[\w+=,.@-]{1,64}$/.test(name)) {
        throw new InvalidArgumentError(argument, `role name "${name}" must be 1 to 64 characters of letters, digits and + = , . @ _ -`);
    }
    return name;
}

/**
 * A name derived from stack and account facts, cut to `max` characters. When it must be cut, a
 * hash of the whole keeps two long names that share a beginning from colliding.
 */
export function boundedName(base: string, max: number): string {
    const clean = base
        .toLowerCase()
        .replace(/[^a-z0-9-]+/g, "-")
        .replace(/-{2,}/g, "-")
        .replace(/^-+|-+$/g, "");
    if (clean.length <= max) return clean;
    const hash = createHash("sha256").update(clean).digest("hex").slice(0, 8);
    return `${clean.slice(0, max - hash.length - 1).replace(/-+$/, "")}-${hash}`;
}

/**
 * Characters S3 lists as safe in key names; the others "might require special handling" (URL
 * encoding) or are best avoided (S3 User Guide, "Object key naming guidelines",
 * https://docs.aws.amazon.com/AmazonS3/latest/userguide/object-keys.html#object-key-guidelines).
 */
const S3_SAFE_KEY_CHARACTER = /^[A-Za-z0-9!\-_.*'()]$/;
/**
 * Characters tag values accept: "A-Z, a-z, 0-9, space, and _ . : / = + @ - (hyphen). This is the
 * standard set of characters available across AWS services that support tags"
 * (https://docs.aws.amazon.com/personalize/latest/dg/personalize-managing-tags.html).
 */
const TAG_VALUE_CHARACTER = /^[A-Za-z0-9 _.:/=+@-]$/;

/** Why `c` can't be in a folder name: what S3 says of it in key names, and whether a tag value takes it. */
function characterProblem(c: string): string {
    const shown = c === " " ? '" " (a space)' : JSON.stringify(c);
    const reasons = [
        S3_SAFE_KEY_CHARACTER.test(c) ? "" : "S3's key naming guidelines don't list among the safe characters (it may need URL encoding)",
        // Beyond ASCII, the page says only that "some services support additional symbols".
        TAG_VALUE_CHARACTER.test(c) || c > "\x7f"
            ? ""
            : "a bucket tag value doesn't accept (the import and batch output folders are also bucket tags)",
    ].filter(Boolean);
    return `has ${shown}, which ${reasons.join(", and which ")}`;
}

/**
 * An S3 key prefix ("folder"), given with or without its trailing "/" and returned without it.
 * Folder names keep to the characters both safe in S3 key names and accepted in tag values (the
 * import and batch output folders are also written into bucket tags that the policy pack reads):
 * letters, digits, ".", "_" and "-". The error names the first character outside them and why.
 */
export function normalizePrefix(argument: string, value: string): string {
    const prefix = value.replace(/\/+$/, "");
    const fix = 'use folder names of letters, digits, ".", "_" and "-" separated by "/", e.g. "personalize/import"';
    if (prefix === "") throw new InvalidArgumentError(argument, `must name a folder, got "${value}"; ${fix}`);
    if (prefix.startsWith("/")) throw new InvalidArgumentError(argument, `must not start with "/", got "${value}"; ${fix}`);
    const bad = [...prefix].find(c => c !== "/" && !(S3_SAFE_KEY_CHARACTER.test(c) && TAG_VALUE_CHARACTER.test(c)));
    if (bad !== undefined) throw new InvalidArgumentError(argument, `${characterProblem(bad)}, got "${value}"; ${fix}`);
    if (prefix.split("/").some(seg => seg === "" || seg === "." || seg === "..")) {
        throw new InvalidArgumentError(argument, `has an empty, "." or ".." folder, got "${value}"; ${fix}`);
    }
    return prefix;
}

/** Whether two folders overlap: the same, or one inside the other (compared folder-wise, so "a" and "ab" don't). */
export function foldersOverlap(a: string, b: string): boolean {
    return a === b || a.startsWith(`${b}/`) || b.startsWith(`${a}/`);
}
