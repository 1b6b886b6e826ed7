/**
 * Speed, for processes that run Pulumi programs under ts-node (the program process and the test
 * processes): the Pulumi runtime reads a stack trace for every promise it creates
 * (`debuggablePromise` in @pulumi/pulumi/runtime/debuggable.js keeps it for its report of leaked
 * promises), and ts-node's source-map-support maps every frame of every such trace back to
 * TypeScript. That mapping was half the time of declaring a component (measured with
 * `node --cpu-prof` on tests/component.spec.ts). These traces are printed only in a leak report,
 * so they are formatted as plain Node formats them; every other stack trace is still mapped.
 */
const mapped = Error.prepareStackTrace;
if (mapped) {
    Error.prepareStackTrace = (error, frames) =>
        frames[0]?.getFunctionName() === "debuggablePromise" && frames[0].getFileName()?.endsWith("debuggable.js")
            ? `${error}${frames.map(frame => `\n    at ${frame}`).join("")}`
            : mapped(error, frames);
}
