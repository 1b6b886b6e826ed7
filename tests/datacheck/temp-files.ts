import { mkdtempSync, rmSync, writeFileSync } from "fs";
import * as os from "os";
import * as path from "path";

/** A temporary folder for generated CSVs, removed by `remove()`. */
export class TempFolder {
    readonly dir = mkdtempSync(path.join(os.tmpdir(), "data-check-"));

    write(name: string, content: string | Buffer): string {
        const file = path.join(this.dir, name);
        writeFileSync(file, content);
        return file;
    }

    remove(): void {
        rmSync(this.dir, { recursive: true, force: true });
    }
}
