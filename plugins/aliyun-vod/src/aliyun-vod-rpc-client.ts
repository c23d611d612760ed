import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import {
  createProviderClient,
  errorFromResponse,
  parseResponse,
  type ProviderHttpClient,
  type ProviderRequestInit,
} from '@unreel/provider-kit';
import type { ProviderLogger, UnreelProviderError } from '@unreel/provider-spec';
import { canonicalQueryString, percentEncode } from './aliyun-percent-encode.js';
import { rpcV2CommonParams, signRpcV2 } from './aliyun-signature-v2.js';
import { sha256Hex, signRpcV3 } from './aliyun-signature-v3.js';
import { formatAliyunTimestamp } from './aliyun-timestamp.js';
import { describeAliyunError, isAliyunErrorBody, isRecord } from './aliyun-vod-errors.js';
import { resolveVodEndpoint, type AliyunVodSettings } from './aliyun-vod-settings.js';

const VOD_API_VERSION = '2017-03-21';
const PROVIDER = 'aliyun-vod';
const FORM = 'application/x-www-form-urlencoded';
/**
 * Every RPC answer is a JSON object; its fields come in several documented shapes (a list as an array, wrapped in an
 * object, or comma-separated), which the provider reads field by field.
 */
const rpcBodySchema = z.record(z.string(), z.unknown());

export interface RpcCallOptions {
  signal: AbortSignal;
  /** Writes go through a client that never retries; reads sent as GET may be retried, each retry signed afresh. */
  write: boolean;
  /** Statuses whose error body the caller reads itself, e.g. DeleteVideo's all-missing 404. */
  allowStatus?: readonly number[];
}

export interface RpcResponse {
  status: number;
  headers: Headers;
  body: Record<string, unknown>;
}

/**
 * Signed RPC calls to ApsaraVideo VOD over the provider-kit client. Both schemes sign in the client's `authorize`
 * hook, which runs on every attempt, so each attempt carries its own nonce and timestamp and a read retry is not
 * refused with SignatureNonceUsed: V3 signs into headers, V2 returns a new request with the signature in its query or
 * form body. Nothing is signed before that hook, so the request the caller builds holds no credential.
 */
export class AliyunVodRpcClient {
  private readonly settings: AliyunVodSettings;
  private readonly writes: ProviderHttpClient;
  private readonly reads: ProviderHttpClient;
  private readonly secrets: readonly string[];
  private readonly logger: ProviderLogger | undefined;

  constructor(settings: AliyunVodSettings, options: { fetch?: typeof globalThis.fetch; logger?: ProviderLogger } = {}) {
    this.settings = settings;
    this.logger = options.logger;
    this.secrets = [settings.accessKeySecret, settings.securityToken].filter(
      (value): value is string => value !== undefined,
    );
    const v3 = settings.signatureVersion === 'v3';
    const common = {
      provider: PROVIDER,
      baseUrl: resolveVodEndpoint(settings),
      ...(options.fetch ? { fetch: options.fetch } : {}),
      headers: { accept: 'application/json' },
      timeoutMs: settings.timeoutMs,
      secrets: this.secrets,
      describeError: describeAliyunError,
      authorize: (request: Request) => (v3 ? this.signV3(request) : this.signV2(request)),
    };
    // The method is a setting, so a write may go out as GET, which the client would retry like a read.
    this.writes = createProviderClient({ ...common, readRetryLimit: 0 });
    this.reads = createProviderClient({ ...common, readRetryLimit: 2 });
  }

  /** One RPC action; throws the provider-spec error for any error `Code`, whatever the HTTP status said. */
  async call(action: string, params: Record<string, string>, options: RpcCallOptions): Promise<RpcResponse> {
    const client = options.write ? this.writes : this.reads;
    const { path, init } =
      this.settings.signatureVersion === 'v3' ? this.buildV3(action, params) : this.buildV2(action, params);
    const response = await client.request<unknown>(path, {
      ...init,
      signal: options.signal,
      ...(options.allowStatus ? { allowStatus: options.allowStatus } : {}),
    });
    const body = response.body;
    this.logger?.debug('aliyun-vod call', {
      action,
      status: response.status,
      ...(isRecord(body) && typeof body.RequestId === 'string' ? { requestId: body.RequestId } : {}),
    });
    if (response.status < 300 && isAliyunErrorBody(body)) {
      throw this.errorFor({ status: response.status, headers: response.headers, body });
    }
    // An answer that is not a JSON object cannot say what the call did: INVALID_RESPONSE, which the host retries.
    const checked = await parseResponse(rpcBodySchema, response, {
      provider: PROVIDER,
      request: action,
      secrets: this.secrets,
    });
    return { status: response.status, headers: response.headers, body: checked };
  }

  /** The provider-spec error for an answer the caller allowed through but does not accept after all. */
  errorFor(response: RpcResponse): UnreelProviderError {
    return errorFromResponse(PROVIDER, response, { describeError: describeAliyunError, secrets: this.secrets });
  }

  /** Unsigned: `signV2` adds the common parameters and the signature on each attempt. */
  private buildV2(
    action: string,
    params: Record<string, string>,
  ): { path: string; init: Omit<ProviderRequestInit, 'signal'> } {
    const method = this.settings.method;
    const wire = canonicalQueryString(Object.entries({ Action: action, ...params }));
    if (method === 'GET') return { path: `/?${wire}`, init: { method } };
    return { path: '/', init: { method, body: wire, headers: { 'content-type': FORM } } };
  }

  private buildV3(
    action: string,
    params: Record<string, string>,
  ): { path: string; init: Omit<ProviderRequestInit, 'signal'> } {
    const method = this.settings.method;
    const wire = canonicalQueryString(Object.entries(params));
    const headers = { 'x-acs-action': action, 'x-acs-version': VOD_API_VERSION };
    if (method === 'GET') return { path: wire === '' ? '/' : `/?${wire}`, init: { method, headers } };
    return { path: '/', init: { method, body: wire, headers: { ...headers, 'content-type': FORM } } };
  }

  /**
   * Runs on every attempt (the client's authorize hook). A retry hands back the request this hook returned before, so
   * the common parameters are set over the old ones and the old Signature is left out of what gets signed.
   */
  private async signV2(request: Request): Promise<Request> {
    const url = new URL(request.url);
    const sent = request.method === 'GET' ? url.searchParams : new URLSearchParams(await request.clone().text());
    const params = {
      ...Object.fromEntries(sent),
      ...rpcV2CommonParams({
        version: VOD_API_VERSION,
        accessKeyId: this.settings.accessKeyId,
        nonce: randomUUID(),
        timestamp: formatAliyunTimestamp(new Date()),
        securityToken: this.settings.securityToken,
      }),
    };
    const signed = signRpcV2({ method: this.settings.method, params, accessKeySecret: this.settings.accessKeySecret });
    const wire = `${signed.canonicalQuery}&Signature=${percentEncode(signed.signature)}`;
    if (request.method === 'GET') return new Request(`${url.origin}${url.pathname}?${wire}`, request);
    // oxlint-disable-next-line unicorn/no-invalid-fetch-options -- a GET returned above; this is the POST form
    return new Request(request, { body: wire });
  }

  /** Runs on every attempt (the client's authorize hook), so each one carries its own date, nonce and signature. */
  private async signV3(request: Request): Promise<void> {
    const url = new URL(request.url);
    const body = request.body === null ? new Uint8Array() : new Uint8Array(await request.clone().arrayBuffer());
    const hashedPayload = sha256Hex(body);
    request.headers.set('x-acs-date', formatAliyunTimestamp(new Date()));
    request.headers.set('x-acs-signature-nonce', randomUUID());
    request.headers.set('x-acs-content-sha256', hashedPayload);
    if (this.settings.securityToken !== undefined)
      request.headers.set('x-acs-security-token', this.settings.securityToken);
    const signed = signRpcV3({
      method: request.method,
      host: url.host,
      query: url.searchParams,
      headers: request.headers,
      hashedPayload,
      accessKeyId: this.settings.accessKeyId,
      accessKeySecret: this.settings.accessKeySecret,
    });
    request.headers.set('authorization', signed.authorization);
  }
}
