import { readFileSync } from "fs";
import Module = require("module");
import * as path from "path";

/**
 * dt-sql-parser's Trino grammar (ANTLR, MIT), to parse the Athena SQL the checker generates. The package ships
 * ES modules that import files without their extension, which Node can't load; this converts its files to
 * CommonJS with swc as they are required (Node's CommonJS resolution finds `./x` as `./x.js`), and nothing else.
 */
interface TrinoSqlParser {
    validate(sql: string): Array<{ message: string; startLine: number; startColumn: number }>;
}

const ROOT = path.dirname(require.resolve("dt-sql-parser/package.json"));

let parser: TrinoSqlParser | undefined;

export function trinoParser(): TrinoSqlParser {
    if (parser) return parser;
    const swc = require("@swc/core") as typeof import("@swc/core");
    const extensions = (Module as unknown as { _extensions: Record<string, (module: Module, file: string) => void> })._extensions;
    const loadJs = extensions[".js"];
    extensions[".js"] = (module, file) => {
        if (!file.startsWith(ROOT + path.sep)) return loadJs(module, file);
        const code = swc.transformSync(readFileSync(file, "utf8"), {
            filename: file,
            jsc: { target: "es2022" },
            module: { type: "commonjs" },
        }).code;
        (module as unknown as { _compile(code: string, file: string): void })._compile(code, file);
    };
    try {
        const { TrinoSQL } = require(path.join(ROOT, "dist/parser/trino")) as { TrinoSQL: new () => TrinoSqlParser };
        parser = new TrinoSQL();
    } finally {
        extensions[".js"] = loadJs;
    }
    return parser;
}
