import { isIP } from 'node:net';
import { ConfigError } from '../config/config-error.js';

/** Whether binding here keeps the server reachable from this machine only. */
export function isLoopbackHost(host: string): boolean {
  const bare = host.replace(/^\[(.*)\]$/, '$1').toLowerCase();
  if (bare === 'localhost') return true;
  if (isIP(bare) === 4) return bare.startsWith('127.');
  if (isIP(bare) === 6) return bare === '::1' || bare === '0:0:0:0:0:0:0:1';
  return false;
}

/** Without tenants no request is authenticated, so the server may only listen where no other machine reaches it. */
export function requireLoopbackWithoutTenants(host: string, tenantsConfigured: boolean): void {
  if (tenantsConfigured || isLoopbackHost(host)) return;
  throw new ConfigError(
    `server.host "${host}" is reachable from other machines, but no "tenants" are configured, so no request would be authenticated: configure tenants with API keys, or bind to 127.0.0.1`,
  );
}
