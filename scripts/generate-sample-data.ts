/**
 * Writes the small, valid sample dataset in data/ that the committed stacks upload:
 * Interactions (1,500 rows from 50 users, each with at least 2 interactions, above Personalize's
 * training minimums), Items and Users. Deterministic, so the committed files can be checked
 * against it: `npx ts-node --transpile-only scripts/generate-sample-data.ts [folder]`.
 */
import * as fs from "node:fs";
import * as path from "node:path";

const USERS = 50;
const ITEMS = 120;
const INTERACTIONS = 1_500;
/** 2026-01-01T00:00:00Z in epoch seconds, the unit Personalize expects. */
const START = 1_767_225_600;
const GENRES = ["Action", "Comedy", "Drama", "Documentary", "Horror", "Romance", "Sci-Fi", "Thriller"];
const EVENTS = ["click", "watch", "purchase"];
const TIERS = ["free", "standard", "premium"];

/** A fixed linear congruential generator: the same files on every machine and Node version. */
function random(seed: number): () => number {
    let state = seed >>> 0;
    return () => {
        state = (Math.imul(state, 1_664_525) + 1_013_904_223) >>> 0;
        return state / 2 ** 32;
    };
}

const id = (kind: string, n: number) => `${kind}${String(n).padStart(4, "0")}`;

export function sampleData(): Record<string, string> {
    const next = random(42);
    const pick = <T>(list: T[]) => list[Math.floor(next() * list.length)];

    const interactions = ["USER_ID,ITEM_ID,TIMESTAMP,EVENT_TYPE"];
    for (let i = 0; i < INTERACTIONS; i++) {
        // Round-robin users so every user has INTERACTIONS / USERS rows.
        const user = id("user", (i % USERS) + 1);
        const item = id("item", Math.floor(next() * ITEMS) + 1);
        const timestamp = START + i * 600 + Math.floor(next() * 600);
        interactions.push(`${user},${item},${timestamp},${pick(EVENTS)}`);
    }

    const items = ["ITEM_ID,GENRES,CREATION_TIMESTAMP"];
    for (let n = 1; n <= ITEMS; n++) {
        const genres = new Set([pick(GENRES), pick(GENRES)]);
        items.push(`${id("item", n)},${[...genres].join("|")},${START - n * 86_400}`);
    }

    const users = ["USER_ID,MEMBERSHIP"];
    for (let n = 1; n <= USERS; n++) users.push(`${id("user", n)},${pick(TIERS)}`);

    const file = (lines: string[]) => `${lines.join("\n")}\n`;
    return { "interactions.csv": file(interactions), "items.csv": file(items), "users.csv": file(users) };
}

if (require.main === module) {
    const folder = path.resolve(process.argv[2] ?? path.join(__dirname, "..", "data"));
    fs.mkdirSync(folder, { recursive: true });
    for (const [name, content] of Object.entries(sampleData())) {
        fs.writeFileSync(path.join(folder, name), content);
        console.log(`wrote ${path.join(folder, name)} (${content.length} bytes)`);
    }
}
