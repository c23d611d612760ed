/** A configuration problem, told in one line that names the file, the account and the field. */
export class ConfigError extends Error {
  override name = 'ConfigError';
}
