/**
 * A PostgreSQL URL as logs and errors may show it: `postgres://host:port/database`, without user or password (a
 * password is a secret; the user alone says little).
 */
export function describeDatabase(url: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return 'postgres://(an invalid URL)';
  }
  return `${parsed.protocol}//${parsed.host}${parsed.pathname}`;
}

/** The password a PostgreSQL URL carries, decoded, to be hidden from logs; undefined when it has none. */
export function databasePassword(url: string): string | undefined {
  try {
    const { password } = new URL(url);
    return password === '' ? undefined : decodeURIComponent(password);
  } catch {
    return undefined;
  }
}
