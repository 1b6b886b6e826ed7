/**
 * A bad argument of the component, named so the program can point at the config key that set it.
 * Thrown before any resource is declared.
 */
export class InvalidArgumentError extends Error {
    constructor(readonly argument: string, readonly problem: string) {
        super(`${argument}: ${problem}`);
        this.name = "InvalidArgumentError";
    }
}
