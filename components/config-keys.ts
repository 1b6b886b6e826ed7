import * as awsProvider from "@pulumi/aws/config/vars";
import { closest, editDistance } from "../policypack/aws/edit-distance";

/**
 * Config keys no one reads, as misspellings of keys someone does: a stack file key in this
 * project's namespace that the program doesn't have, one in a namespace a typo away from the
 * project's (which nothing reads, so it would be silently ignored), or an `aws:` key the aws
 * provider doesn't have (`aws:regoin`). The provider's keys are the settings its SDK declares
 * (the getters of `@pulumi/aws/config/vars`), so they follow the installed version.
 */

export const AWS_PROVIDER_KEYS = Object.keys(awsProvider);

/**
 * What is wrong with `fullKey` (`<namespace>:<name>`) and the closest key that exists, or undefined
 * for a key that exists or a namespace this check doesn't know. `projectKeys` are the program's keys.
 */
export function unknownKeyProblem(fullKey: string, project: string, projectKeys: string[]): string | undefined {
    const at = fullKey.indexOf(":");
    const [namespace, name] = [fullKey.slice(0, at), fullKey.slice(at + 1)];
    const nearest = (names: string[]) => (names.includes(name) ? name : closest(name, names).candidates[0]);
    if (namespace === project) {
        if (projectKeys.includes(name)) return undefined;
        return `is not a setting of this program; did you mean ${project}:${nearest(projectKeys)}? The settings are ${projectKeys.join(", ")}`;
    }
    if (editDistance(namespace, project) === 1) {
        return `"${namespace}" is not this project's namespace, so nothing reads the key; did you mean ${project}:${nearest(projectKeys)}?`;
    }
    if (namespace === "aws" && !AWS_PROVIDER_KEYS.includes(name)) {
        return `is not a setting of the aws provider (@pulumi/aws declares none by that name); did you mean aws:${nearest(AWS_PROVIDER_KEYS)}?`;
    }
    return undefined;
}
