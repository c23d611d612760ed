/** Every spelling of the new plugin's name the templates need, derived once from its id. */
export interface PluginNames {
  /** Kebab-case provider id, e.g. `acme-video`: the `id` of definePlugin and the prefix of the account's video ids. */
  id: string;
  /** npm package name, e.g. `unreel-plugin-acme-video` or `@acme/unreel-plugin-video`. */
  packageName: string;
  /** For people: README title, log and error wording, e.g. `Acme Video`. */
  displayName: string;
  /** `AcmeVideo`, for class and type names. */
  pascal: string;
  /** `acmeVideo`, for value names. */
  camel: string;
}

/** What the conformance suite requires of a plugin id (and what a host prints in `<id>:` video ids). */
const ID = /^[a-z0-9]+(-[a-z0-9]+)*$/;

/** npm's own rule for new package names: lower case, URL-safe, optionally scoped, at most 214 characters. */
const PACKAGE_NAME = /^(@[a-z0-9][a-z0-9._~-]*\/)?[a-z0-9][a-z0-9._~-]*$/;

export class PluginNameError extends Error {
  override name = 'PluginNameError';
}

export function pluginNames(input: { id: string; packageName?: string; displayName?: string }): PluginNames {
  const { id } = input;
  if (!ID.test(id)) {
    throw new PluginNameError(
      `id: "${id}" is not a kebab-case provider id (lower-case letters and digits in words joined by "-", e.g. "acme-video")`,
    );
  }
  const packageName = input.packageName ?? `unreel-plugin-${id}`;
  if (packageName.length > 214 || !PACKAGE_NAME.test(packageName)) {
    throw new PluginNameError(
      `name: "${packageName}" is not a valid npm package name (lower case, no spaces, optionally "@scope/name")`,
    );
  }
  const words = id.split('-');
  const capitalised = words.map((word) => `${word.charAt(0).toUpperCase()}${word.slice(1)}`);
  // A class name cannot start with a digit.
  const pascal = /^\d/.test(id) ? `P${capitalised.join('')}` : capitalised.join('');
  const displayName = input.displayName?.trim() || capitalised.join(' ');
  if (/[\r\n`$\\]/.test(displayName)) {
    throw new PluginNameError('display name: must be one line without backticks, "$" or backslashes');
  }
  return { id, packageName, displayName, pascal, camel: `${pascal.charAt(0).toLowerCase()}${pascal.slice(1)}` };
}
