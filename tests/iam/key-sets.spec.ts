import assert from "node:assert/strict";
import fc from "fast-check";
import {
    globMatches,
    resourceGlob,
    someKeyMissed,
    someKeySelected,
    type KeySet,
    type ResourceMatcher,
} from "../../policypack/iam/key-sets";
import type { KeyLookup } from "../../policypack/iam/wildcards";

const NONE: KeyLookup = () => ({ state: "unknown" });
const BUCKET = "arn:aws:s3:::b/";
const under = (prefix: string): KeySet => ({ kind: "under", base: BUCKET + prefix });
const matcher = (patterns: string[], negated = false): ResourceMatcher => ({
    globs: patterns.map(p => resourceGlob(p, NONE, false)!),
    negated,
});
const missed = (set: KeySet, ...patterns: string[]) => someKeyMissed(set, [matcher(patterns)]).found;
const hit = (set: KeySet, ...patterns: string[]) => someKeySelected(set, matcher(patterns)).found;

describe("key sets: resource patterns against every key under a prefix", () => {
    it("a trailing * covers every key under the prefix; a narrower folder leaves the shortest key outside it", () => {
        assert.equal(missed(under("import/"), `${BUCKET}*`), undefined);
        assert.equal(missed(under("import/"), `${BUCKET}import/*`), undefined);
        assert.equal(missed(under(""), `${BUCKET}import/*`), `${BUCKET}x`);
        assert.equal(missed(under("import/"), `${BUCKET}import/*.csv`), `${BUCKET}import/x`);
        assert.equal(hit(under("import/"), `${BUCKET}other/*`), undefined);
        assert.equal(hit(under(""), `${BUCKET}secret/*`), `${BUCKET}secret/`, "the folder marker key secret/ is the shortest");
    });

    it("? never matches zero characters: import/? is not a key under import/ of length 0, and import? is not import", () => {
        assert.equal(missed(under("import/"), `${BUCKET}import/?*`), undefined, "every key under import/ has a character after it");
        assert.equal(missed(under("import/"), `${BUCKET}import/?`), `${BUCKET}import/xx`);
        assert.equal(
            hit(under("import/"), `${BUCKET}import?`),
            undefined,
            "import? would need the key import/ itself, which is not under it",
        );
        assert.equal(hit({ kind: "one", arn: `${BUCKET}import/data` }, `${BUCKET}import/?data`), undefined);
    });

    it("wildcards in the first five parts of an ARN never cross a colon; the resource part's do", () => {
        assert.equal(missed(under(""), "arn:aws:s3:*:*:b/*"), undefined);
        assert.equal(hit(under(""), "arn:*:b/*"), `${BUCKET}x`, "a short pattern's * spans colons");
        assert.equal(hit(under(""), "arn:aws:s3:::*:b/*"), `${BUCKET}:b/`, "the resource part's * spans colons");
        assert.equal(hit({ kind: "one", arn: "arn:aws:s3:x:::b/k" }, "arn:aws:*:::b/*"), undefined, "a part-bound * can't take s3:x");
        assert.equal(
            hit({ kind: "one", arn: "arn:aws:s3:x:::b/k" }, "arn:aws:*::b/*"),
            "arn:aws:s3:x:::b/k",
            "a five-part pattern's * can",
        );
        assert.equal(missed(under("a:"), `${BUCKET}a:*`), undefined);
    });

    it("a NotResource selects the keys its patterns don't: the rest of the folder", () => {
        const exceptSecret = matcher([`${BUCKET}import/secret/*`], true);
        assert.equal(someKeySelected(under("import/"), exceptSecret).found, `${BUCKET}import/x`);
        assert.equal(someKeyMissed(under("import/"), [exceptSecret]).found, `${BUCKET}import/secret/`);
        assert.equal(someKeyMissed(under("import/"), [exceptSecret, matcher([`${BUCKET}import/secret/*`])]).found, undefined);
    });

    it("several Allows cover a folder together though none covers it alone", () => {
        const set = under("d/");
        const split = [matcher([`${BUCKET}d/a*`]), matcher([`${BUCKET}d/?*`])];
        assert.equal(someKeyMissed(set, split).found, undefined);
        assert.equal(someKeyMissed(set, [split[0]]).found, `${BUCKET}d/x`);
    });

    it("resolves policy variables as literal text only when the document allows variables", () => {
        const lookup: KeyLookup = key => (key.toLowerCase() === "aws:username" ? { state: "present", value: "a*" } : { state: "unknown" });
        const withVariables = resourceGlob(`${BUCKET}\${aws:username}`, lookup, true)!;
        assert.ok(globMatches(withVariables, `${BUCKET}a*`));
        assert.ok(!globMatches(withVariables, `${BUCKET}ab`), "a variable's value is never a wildcard");
        const literal = resourceGlob(`${BUCKET}\${aws:username}`, lookup, false)!;
        assert.ok(globMatches(literal, `${BUCKET}\${aws:username}`));
        assert.equal(resourceGlob(`${BUCKET}\${aws:userid}`, lookup, true), undefined, "an unknown key can't be resolved");
    });
});

/**
 * The exact answers against brute force: every key of the set up to a length, matched one by one
 * with a regular expression built here on its own from IAM's rules (not with key-sets.ts).
 */
describe("key sets against brute force", () => {
    const ALPHABET = ["a", "b", "/", ":", "z"];
    const suffixes: string[] = [];
    let layer = [""];
    for (let length = 1; length <= 4; length++) {
        layer = layer.flatMap(s => ALPHABET.map(c => s + c));
        suffixes.push(...layer);
    }
    const regex = (pattern: string): RegExp => {
        const glob = (text: string, crossesColon: boolean) =>
            text
                .split("")
                .map(c =>
                    c === "*"
                        ? crossesColon
                            ? ".*"
                            : "[^:]*"
                        : c === "?"
                          ? crossesColon
                              ? "."
                              : "[^:]"
                          : c.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&"),
                )
                .join("");
        const parts = pattern.split(":");
        if (parts.length < 6) return new RegExp(`^${glob(pattern, true)}$`, "s");
        return new RegExp(
            `^${parts
                .slice(0, 5)
                .map(p => glob(p, false))
                .join(":")}:${glob(parts.slice(5).join(":"), true)}$`,
            "s",
        );
    };
    const tail = fc.array(fc.constantFrom("a", "b", "/", ":", "*", "?"), { maxLength: 5 }).map(cs => cs.join(""));
    const pattern = fc.oneof(
        tail.map(t => `${BUCKET}${t}`),
        tail.map(t => `arn:aws:s3:*${t}`),
        tail.map(t => `arn:${t}`),
    );
    const prefix = fc.array(fc.constantFrom("a", "/", ":"), { maxLength: 2 }).map(cs => cs.join(""));

    it("decides containment and intersection exactly on 400 generated patterns, prefixes and NotResource", () => {
        fc.assert(
            fc.property(fc.array(pattern, { minLength: 1, maxLength: 2 }), prefix, fc.boolean(), (patterns, p, negated) => {
                const set = under(p);
                const keys = suffixes.map(s => set.kind === "under" && set.base + s);
                const res = patterns.map(regex);
                const selected = (key: string) => res.some(r => r.test(key)) !== negated;
                const m = matcher(patterns, negated);
                const someHit = someKeySelected(set, m);
                const someMiss = someKeyMissed(set, [m]);
                for (const answer of [someHit, someMiss]) assert.ok(answer.found !== undefined || answer.decided, "decided");
                if (someHit.found !== undefined) assert.ok(selected(someHit.found), `${someHit.found} is not selected by ${patterns}`);
                else
                    assert.equal(
                        keys.find(k => selected(k as string)),
                        undefined,
                        `none selected by ${patterns}, yet brute force finds one`,
                    );
                if (someMiss.found !== undefined) assert.ok(!selected(someMiss.found), `${someMiss.found} is selected by ${patterns}`);
                else
                    assert.equal(
                        keys.find(k => !selected(k as string)),
                        undefined,
                        `all covered by ${patterns}, yet brute force finds a miss`,
                    );
                for (const key of keys.slice(0, 160)) {
                    assert.equal(
                        m.globs.some(g => globMatches(g, key as string)),
                        res.some(r => r.test(key as string)),
                        `${patterns} on ${key}`,
                    );
                }
            }),
            { numRuns: 400, seed: 7 },
        );
    });
});
