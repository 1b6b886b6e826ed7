/**
 * Whether a resource pattern of a policy (IAM wildcards `*` and `?`) can only match names that
 * start with a given prefix: exactly when its literal text before the first wildcard starts with
 * the prefix (a pattern without wildcards is its own literal text). `*` spans `/`, so
 * `arn:aws:s3:::bucket/out*` also matches `bucket/outside/...` and stays under `bucket/out` only.
 */
export function staysUnderPrefix(pattern: string, prefix: string): boolean {
    return literalHead(pattern).startsWith(prefix);
}

/**
 * Whether a pattern may match some name that starts with the prefix: it stays under it, or its
 * literal text is the start of the prefix and a wildcard follows (`*`, or `arn:aws:s3:::*`). A `?`
 * counts as able to fill in the rest too, which may say "may" of a pattern that can't.
 */
export function mayReachPrefix(pattern: string, prefix: string): boolean {
    const head = literalHead(pattern);
    return head.startsWith(prefix) || (head.length < pattern.length && prefix.startsWith(head));
}

/** The text before the first wildcard; all of it when there is none. */
function literalHead(pattern: string): string {
    const first = pattern.search(/[*?]/);
    return first === -1 ? pattern : pattern.slice(0, first);
}
