import { ConfigError } from '../config/config-error.js';
import { interpolateEnv } from '../config/interpolate-env.js';

/** Short keys can be guessed; 16 characters is the floor, a random 32 or more is what to generate. */
const MIN_API_KEY_LENGTH = 16;

/** A configured API key with `${ENV}` interpolated; `where` names it in the error, since the key itself never may. */
export function readApiKey(raw: string, env: NodeJS.ProcessEnv, where: string): string {
  const key = interpolateEnv(raw, env, where) as string;
  // Never quote the key itself: this line goes to stderr and to whoever reads the deployment's logs.
  if (key.length < MIN_API_KEY_LENGTH)
    throw new ConfigError(`${where}: must be at least ${MIN_API_KEY_LENGTH} characters once interpolated`);
  return key;
}
