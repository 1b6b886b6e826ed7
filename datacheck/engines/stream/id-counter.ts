/**
 * Counts distinct IDs and how many occur at least twice, in bounded memory.
 *
 * IDs are keyed by a 62-bit hash of their UTF-8 bytes instead of strings, so the row loop allocates nothing: each
 * slot is two 32-bit words (the first hash, and the second hash with the occurrence count in its low 2 bits), so a
 * lookup touches one cache line. Two different IDs collide with probability about n²/2^63 (≈ 1e-6 at 3 million
 * IDs), which could only merge two users, never invent one. Occurrences saturate at 2: only "at least twice" matters.
 * The table grows up to `maxSlots`; once 70 % full, new IDs are no longer counted and `capped` is set, so the
 * counts become lower bounds.
 */

export interface TransferredIdCounter {
    table: Uint32Array;
    size: number;
    atLeastTwice: number;
    capped: boolean;
    maxSlots: number;
}

const COUNT_BITS = 3;

/** IDs buffered by `push` before they are looked up together (see `flush`). */
const BATCH = 256;

export class IdCounter {
    private table: Uint32Array;
    private readonly pending = new Uint32Array(2 * BATCH);
    private pendingCount = 0;
    /** Sink of the prefetching loads in `flush`, so they are not optimized away; carries no meaning. */
    touched = 0;
    size = 0;
    atLeastTwice = 0;
    capped = false;

    constructor(
        readonly maxSlots: number,
        initialSlots = 1 << 12,
    ) {
        this.table = new Uint32Array(initialSlots * 2);
    }

    /** Adds `count` (1, or 2 for "twice or more") occurrences of the ID with hashes (a, b). */
    add(a: number, b: number, count = 1): void {
        let table = this.table;
        let mask = (table.length >>> 1) - 1;
        const key = (b & ~COUNT_BITS) >>> 0;
        let slot = (a ^ Math.imul(key, 0x9e3779b1)) & mask;
        for (;;) {
            const word = table[2 * slot + 1];
            if (word === 0) break;
            if (table[2 * slot] === a && (word & ~COUNT_BITS) >>> 0 === key) {
                if ((word & COUNT_BITS) === 1) {
                    table[2 * slot + 1] = key | 2;
                    this.atLeastTwice++;
                }
                return;
            }
            slot = (slot + 1) & mask;
        }
        if ((this.size + 1) * 10 > (mask + 1) * 7) {
            if (mask + 1 >= this.maxSlots) {
                this.capped = true;
                return;
            }
            this.grow();
            table = this.table;
            mask = (table.length >>> 1) - 1;
            slot = (a ^ Math.imul(key, 0x9e3779b1)) & mask;
            while (table[2 * slot + 1] !== 0) slot = (slot + 1) & mask;
        }
        const saturated = count >= 2 ? 2 : 1;
        table[2 * slot] = a;
        table[2 * slot + 1] = key | saturated;
        this.size++;
        if (saturated === 2) this.atLeastTwice++;
    }

    /**
     * Adds one occurrence later, in a batch: lookups in a table larger than the CPU cache are memory-latency bound,
     * and a tight loop of independent lookups lets the CPU overlap those cache misses, unlike one lookup per row
     * between the parsing work. Read the counts only after `flush`.
     */
    push(a: number, b: number): void {
        const i = 2 * this.pendingCount++;
        this.pending[i] = a;
        this.pending[i + 1] = b;
        if (this.pendingCount === BATCH) this.flush();
    }

    flush(): void {
        const pending = this.pending;
        const n = 2 * this.pendingCount;
        // First touch every slot the batch will probe: these loads do not depend on each other, so their cache
        // misses overlap (a software prefetch); the probes that follow then mostly hit the cache.
        const table = this.table;
        const mask = (table.length >>> 1) - 1;
        let touched = 0;
        for (let i = 0; i < n; i += 2)
            touched ^= table[2 * ((pending[i] ^ Math.imul(pending[i + 1] & ~COUNT_BITS, 0x9e3779b1)) & mask) + 1];
        this.touched = touched;
        for (let i = 0; i < n; i += 2) this.add(pending[i], pending[i + 1]);
        this.pendingCount = 0;
    }

    /** Adds every ID of `other` with its occurrences (to merge ranges and files). */
    merge(other: IdCounter): void {
        other.forEach((a, b, count) => this.add(a, b, count));
        this.capped ||= other.capped;
    }

    forEach(visit: (a: number, b: number, count: number) => void): void {
        const t = this.table;
        for (let i = 0; i < t.length; i += 2) if (t[i + 1] !== 0) visit(t[i], t[i + 1], t[i + 1] & COUNT_BITS);
    }

    /** The table as a transferable array, to move a counter out of a worker thread without copying. */
    toTransfer(): TransferredIdCounter {
        const { table, size, atLeastTwice, capped, maxSlots } = this;
        return { table, size, atLeastTwice, capped, maxSlots };
    }

    static fromTransfer(t: TransferredIdCounter): IdCounter {
        const counter = new IdCounter(t.maxSlots, 1);
        Object.assign(counter, { table: t.table, size: t.size, atLeastTwice: t.atLeastTwice, capped: t.capped });
        return counter;
    }

    /** Entries as bytes, 8 per entry (the two words of a slot), for the result cache. */
    toBytes(): Buffer {
        const out = Buffer.alloc(this.size * 8);
        let o = 0;
        this.forEach((a, b) => {
            out.writeUInt32LE(a, o);
            out.writeUInt32LE(b >>> 0, o + 4);
            o += 8;
        });
        return out;
    }

    static fromBytes(bytes: Buffer, maxSlots: number, capped: boolean): IdCounter {
        const counter = new IdCounter(maxSlots);
        for (let o = 0; o + 8 <= bytes.length; o += 8) {
            const b = bytes.readUInt32LE(o + 4);
            counter.add(bytes.readUInt32LE(o), b, b & COUNT_BITS);
        }
        counter.capped ||= capped;
        return counter;
    }

    private grow(): void {
        const old = this.table;
        const table = new Uint32Array(old.length * 2);
        const mask = (table.length >>> 1) - 1;
        for (let i = 0; i < old.length; i += 2) {
            if (old[i + 1] === 0) continue;
            let slot = (old[i] ^ Math.imul(old[i + 1] & ~COUNT_BITS, 0x9e3779b1)) & mask;
            while (table[2 * slot + 1] !== 0) slot = (slot + 1) & mask;
            table[2 * slot] = old[i];
            table[2 * slot + 1] = old[i + 1];
        }
        this.table = table;
    }
}

/** About 2.9 million users counted exactly (32 MB at most). */
export const MAX_USER_SLOTS = 1 << 22;
/** About 730,000 items counted exactly (8 MB at most); the item count is only informational. */
export const MAX_ITEM_SLOTS = 1 << 20;

/**
 * The two 32-bit hashes of an ID's bytes, computed in one pass: FNV-1a, and the polynomial (×31) string hash,
 * whose collisions are structured differently. Results land in `idHash` so the row loop allocates nothing.
 */
export const idHash = { a: 0, b: 0 };

export const FNV_OFFSET = 0x811c9dc5 | 0;
export const FNV_PRIME = 0x01000193;

/** The final hashes from the running ones over `length` bytes (the ×31 hash starts at 0; the length is mixed in last). */
export const idHashA = (a: number, _length: number) => a >>> 0;
export const idHashB = (b: number, length: number) => (b + Math.imul(length, 0x9e3779b1)) >>> 0;

export function hashId(buf: Uint8Array, start: number, end: number): void {
    let a = FNV_OFFSET;
    let b = 0;
    for (let i = start; i < end; i++) {
        const c = buf[i];
        a = Math.imul(a ^ c, FNV_PRIME);
        b = (Math.imul(b, 31) + c) | 0;
    }
    idHash.a = idHashA(a, end - start);
    idHash.b = idHashB(b, end - start);
}
