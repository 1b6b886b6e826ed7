/**
 * Edit distance as typos happen: the fewest insertions, deletions, substitutions and swaps of two
 * adjacent characters that turn `a` into `b` (the "optimal string alignment" form of
 * Damerau-Levenshtein), so `aws:SourceVcp` is one edit from `aws:SourceVpc`, not two.
 *
 * Written here rather than taken from a package because the pack is installed on its own by the
 * Pulumi CLI and needs nothing more (the program borrows it for its config keys); tested against
 * the recursive definition in tests/policypack/edit-distance.spec.ts.
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

/** The candidates nearest to `word` (ignoring case), in their given order, and their distance. */
export function closest(word: string, candidates: string[]): { candidates: string[]; distance: number } {
    const best = { candidates: [] as string[], distance: Infinity };
    const lower = word.toLowerCase();
    for (const candidate of candidates) {
        const distance = editDistance(lower, candidate.toLowerCase());
        if (distance < best.distance) Object.assign(best, { candidates: [candidate], distance });
        else if (distance === best.distance && !best.candidates.includes(candidate)) best.candidates.push(candidate);
    }
    return best;
}
