import { z } from 'zod';
import { vodEndpointForRegion } from './aliyun-vod-endpoints.js';

export const aliyunVodSettingsSchema = z
  .object({
    /** The AccessKey ID (an identifier, shown by Alibaba in its own error messages; not a secret). */
    accessKeyId: z.string().trim().min(1, 'accessKeyId is required'),
    /** Secret. */
    accessKeySecret: z.string().min(1, 'accessKeySecret is required'),
    /** Secret. The STS token that comes with temporary AccessKeys (`SecurityToken` / `x-acs-security-token`). */
    securityToken: z.string().min(1).optional(),
    /** Picks `https://vod.<regionId>.aliyuncs.com`, with the official SDK's special cases (cn-hangzhou -> Shanghai). */
    regionId: z
      .string()
      .regex(/^[a-z0-9]+(-[a-z0-9]+)*$/, 'regionId looks like cn-shanghai or ap-southeast-1')
      .default('cn-shanghai'),
    /** Overrides the regional endpoint, e.g. a simulator or a VPC endpoint. */
    endpoint: z.url({ protocol: /^https?$/, error: 'endpoint must be an http(s) URL' }).optional(),
    /** v3 = ACS3-HMAC-SHA256 (what Alibaba recommends); v2 = HMAC-SHA1 SignatureVersion 1.0 (deprecated, still served). */
    signatureVersion: z.enum(['v3', 'v2']).default('v3'),
    /** POST sends the parameters as a form body, as the official SDK does; GET puts them in the query string. */
    method: z.enum(['POST', 'GET']).default('POST'),
    /** Per attempt. */
    timeoutMs: z.number().int().min(100).max(120_000).default(10_000),
    /** The account's QPS quota when Alibaba raised it above the documented 30. */
    requestsPerSecond: z.number().positive().max(10_000).default(30),
    /** Secret. The callback authentication key set in the VOD console (HTTP callback "PrivateKey"). */
    callbackAuthKey: z.string().min(1).optional(),
    /** The callback URL configured at Alibaba, exactly as configured: it is part of the signed string. */
    callbackUrl: z.url({ protocol: /^https?$/, error: 'callbackUrl must be an http(s) URL' }).optional(),
    /** How old (or how far in the future) an X-VOD-TIMESTAMP may be before a callback is refused as stale. */
    callbackMaxAgeSeconds: z.number().int().min(1).max(86_400).default(300),
  })
  .strict()
  .refine((settings) => (settings.callbackAuthKey === undefined) === (settings.callbackUrl === undefined), {
    message: 'callbackAuthKey and callbackUrl go together: the signature covers the URL Alibaba calls',
    path: ['callbackUrl'],
  });

export type AliyunVodSettings = z.output<typeof aliyunVodSettingsSchema>;
export type AliyunVodSettingsInput = z.input<typeof aliyunVodSettingsSchema>;

/** Where calls go: the override, else the region's endpoint. */
export function resolveVodEndpoint(settings: Pick<AliyunVodSettings, 'endpoint' | 'regionId'>): string {
  return (settings.endpoint ?? vodEndpointForRegion(settings.regionId)).replace(/\/+$/, '');
}
