import type { DataFile } from "./rules/dataset-type";

/** Where progress goes: a terminal (stderr), rewritten in place. */
export interface ProgressStream {
    isTTY?: boolean;
    write(text: string): unknown;
}

/**
 * One line of progress on a terminal, rewritten in place: which file of how many, its size, and the time spent on
 * it, refreshed every second (a 1 GB object takes seconds; a terminal shouldn't look stuck meanwhile). Nothing at
 * all when the stream is not a terminal, so that piped output and logs hold the report alone.
 */
export class Progress {
    private timer: NodeJS.Timeout | undefined;
    private line = "";
    private started = 0;

    constructor(
        private readonly stream: ProgressStream,
        private readonly total: number,
        private readonly now = () => Date.now(),
    ) {}

    /** Called as each file's check starts (`index` from 0); `bytes` its size. */
    file(index: number, file: DataFile, bytes: number): void {
        if (!this.stream.isTTY) return;
        this.line = `checking ${index + 1}/${this.total}: ${file.path} (${(bytes / 1024 ** 2).toFixed(1)} MB)`;
        this.started = this.now();
        this.draw();
        this.timer ??= setInterval(() => this.draw(), 1000).unref();
    }

    /** Clears the line, before the report is printed. */
    done(): void {
        if (this.timer) clearInterval(this.timer);
        this.timer = undefined;
        if (this.stream.isTTY && this.line) this.stream.write("\r\x1b[K");
        this.line = "";
    }

    private draw(): void {
        const seconds = Math.floor((this.now() - this.started) / 1000);
        this.stream.write(`\r\x1b[K${this.line}${seconds > 0 ? `, ${seconds} s` : ""}`);
    }
}
