/**
 * Edit distance as typos happen: the fewest insertions, deletions, substitutions and swaps of two
 * adjacent characters that turn `a` into `b` (the "optimal string alignment" form of
 * Damerau-Levenshtein), so `aws:SourceVcp` is one edit from `aws:SourceVpc`, not two.
 *
 * Written here rather than taken from a package because the pack is installed on its own by the
 * Pulumi CLI and this is its only use; tested against the recursive definition in
 * tests/policypack/edit-distance.spec.ts.
 */
export function editDistance(a: string, b: string): number {
    let beforePrevious: number[] = [];
    let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
    for (let i = 1; i <= a.length; i++) {
        const current = [i];
        for (let j = 1; j <= b.length; j++) {
            let best = Math.min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
            if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) best = Math.min(best, beforePrevious[j - 2] + 1);
            current.push(best);
        }
        beforePrevious = previous;
        previous = current;
    }
    return previous[b.length];
}
