const UNITS: Record<string, number> = { B: 1, KB: 1024, MB: 1024 ** 2, GB: 1024 ** 3, TB: 1024 ** 4 };

/** A size such as "10GB", "1.5 gb", "500MB" or a plain number of bytes; undefined if it is none. */
export function parseSize(text: string): number | undefined {
    const match = /^(\d+(?:\.\d+)?)\s*(B|KB|MB|GB|TB)?$/i.exec(text.trim());
    return match ? Math.round(Number(match[1]) * UNITS[(match[2] ?? "B").toUpperCase()]) : undefined;
}
