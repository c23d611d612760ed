import { randomUUID } from 'node:crypto';
import type { SimulatorReply } from '@unreel/provider-kit/simulator';

export type ResponseFormat = 'JSON' | 'XML';

/** An RPC error as the gateway answers it. */
export interface RpcError {
  status: number;
  code: string;
  message: string;
  headers?: Record<string, string>;
}

/** Alibaba request ids are upper-case UUIDs. */
export function requestId(): string {
  return randomUUID().toUpperCase();
}

/** `{RequestId, HostId, Code, Message, Recommend}` (providers.md §5.4), or its `<Error>` XML form. */
export function rpcErrorReply(error: RpcError, context: { hostId: string; format: ResponseFormat }): SimulatorReply {
  const body = {
    RequestId: requestId(),
    HostId: context.hostId,
    Code: error.code,
    Message: error.message,
    Recommend: `https://api.aliyun.com/troubleshoot?q=${encodeURIComponent(error.code)}&product=vod`,
  };
  return encode(error.status, 'Error', body, context.format, error.headers);
}

export function rpcReply(action: string, body: Record<string, unknown>, format: ResponseFormat): SimulatorReply {
  return encode(200, `${action}Response`, body, format);
}

function encode(
  status: number,
  root: string,
  body: Record<string, unknown>,
  format: ResponseFormat,
  headers: Record<string, string> = {},
): SimulatorReply {
  if (format === 'JSON') return { status, headers, json: body };
  return {
    status,
    headers: { ...headers, 'content-type': 'text/xml;charset=utf-8' },
    text: `<?xml version="1.0" encoding="UTF-8"?>${xmlElement(root, body)}`,
  };
}

/**
 * Just enough XML for `Format=XML` (V2's default): objects become nested elements, a list repeats its element once
 * per entry, as the RPC gateway writes flat lists.
 */
function xmlElement(name: string, value: unknown): string {
  if (Array.isArray(value)) return value.map((entry) => xmlElement(name, entry)).join('');
  if (value !== null && typeof value === 'object') {
    return `<${name}>${Object.entries(value)
      .map(([child, entry]) => xmlElement(child, entry))
      .join('')}</${name}>`;
  }
  return `<${name}>${escapeXml(value === undefined || value === null ? '' : String(value))}</${name}>`;
}

function escapeXml(text: string): string {
  return text.replace(
    /[<>&'"]/g,
    (char) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', "'": '&apos;', '"': '&quot;' })[char] as string,
  );
}
