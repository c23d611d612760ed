/**
 * `accounts[1] "vod": settings.apiKey: `: accounts and tenants are named, not just numbered, because that is what
 * people grep for.
 */
export function describeIssuePath(raw: unknown, issuePath: readonly PropertyKey[]): string {
  const list = issuePath[0];
  if ((list === 'accounts' || list === 'tenants') && typeof issuePath[1] === 'number') {
    const entries = (raw as Record<string, unknown> | null)?.[list];
    const name = Array.isArray(entries) ? (entries[issuePath[1]] as { name?: unknown } | undefined)?.name : undefined;
    const head = `${list}[${issuePath[1]}]${typeof name === 'string' ? ` "${name}"` : ''}`;
    const rest = formatPath(issuePath.slice(2));
    return rest ? `${head}: ${rest}: ` : `${head}: `;
  }
  const rest = formatPath(issuePath);
  return rest ? `${rest}: ` : '';
}

function formatPath(segments: readonly PropertyKey[]): string {
  return segments
    .map((segment, index) =>
      typeof segment === 'number' ? `[${segment}]` : index === 0 ? String(segment) : `.${String(segment)}`,
    )
    .join('');
}
