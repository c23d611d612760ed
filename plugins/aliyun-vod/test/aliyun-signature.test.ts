import { describe, expect, it } from 'vitest';
import { canonicalQueryString, percentEncode } from '../src/aliyun-percent-encode.js';
import { rpcV2CommonParams, signRpcV2 } from '../src/aliyun-signature-v2.js';
import { acs3CanonicalRequest, acs3Signature, sha256Hex, signRpcV3 } from '../src/aliyun-signature-v3.js';
import { formatAliyunTimestamp, parseAliyunTimestamp } from '../src/aliyun-timestamp.js';
import {
  v2DeleteVideo,
  v2DescribeRegions,
  v2SendSms,
  v3DeleteVideo,
  v3RunInstances,
} from './fixtures/signature-vectors.js';

describe('percentEncode (RFC 3986 as Alibaba signs it)', () => {
  it('keeps only the unreserved set literal and writes upper-case hex', () => {
    expect(percentEncode('AZaz09-_.~')).toBe('AZaz09-_.~');
    expect(percentEncode(' ')).toBe('%20');
    expect(percentEncode('*')).toBe('%2A');
    expect(percentEncode("!'()")).toBe('%21%27%28%29');
    expect(percentEncode('+/=,:')).toBe('%2B%2F%3D%2C%3A');
    expect(percentEncode('阿')).toBe('%E9%98%BF');
  });

  it('sorts pairs by encoded name and joins them with &', () => {
    expect(
      canonicalQueryString([
        ['b', '2'],
        ['a', 'x y'],
        ['A', '*'],
      ]),
    ).toBe('A=%2A&a=x%20y&b=2');
  });
});

describe('signature V2 (HMAC-SHA1), every vector of providers.md §6.1 and §6.3', () => {
  it('reproduces the published DescribeRegions vector step by step', () => {
    const signed = signRpcV2({
      method: v2DescribeRegions.method,
      params: v2DescribeRegions.params,
      accessKeySecret: v2DescribeRegions.secret,
    });
    expect(signed.canonicalQuery).toBe(v2DescribeRegions.canonicalQuery);
    expect(signed.stringToSign).toBe(v2DescribeRegions.stringToSign);
    expect(signed.signature).toBe(v2DescribeRegions.signature);
    expect(percentEncode(signed.signature)).toBe(v2DescribeRegions.signatureInUrl);
  });

  it('reproduces the published SendSms vector (UTF-8 value, JSON punctuation)', () => {
    const signed = signRpcV2({ method: v2SendSms.method, params: v2SendSms.params, accessKeySecret: v2SendSms.secret });
    expect(signed.signature).toBe(v2SendSms.signature);
  });

  it('reproduces the DeleteVideo vectors for GET and for POST', () => {
    const get = signRpcV2({ method: 'GET', params: v2DeleteVideo.params, accessKeySecret: v2DeleteVideo.secret });
    const post = signRpcV2({ method: 'POST', params: v2DeleteVideo.params, accessKeySecret: v2DeleteVideo.secret });
    expect(get.signature).toBe(v2DeleteVideo.get);
    expect(post.signature).toBe(v2DeleteVideo.post);
    // The comma is encoded once in the canonical query and twice in the string to sign.
    expect(get.canonicalQuery).toContain('VideoIds=e44ebf1147hdsa2d2adbea8b%2C73ab850b4f6f4b6e91d24d81d54');
    expect(get.stringToSign).toContain('e44ebf1147hdsa2d2adbea8b%252C73ab');
  });

  it('never signs a Signature parameter that is already present', () => {
    const withSignature = { ...v2DescribeRegions.params, Signature: 'anything' };
    expect(
      signRpcV2({ method: 'GET', params: withSignature, accessKeySecret: v2DescribeRegions.secret }).signature,
    ).toBe(v2DescribeRegions.signature);
  });

  it('depends on the secret, the method and every parameter', () => {
    const base = signRpcV2({ method: 'GET', params: v2DeleteVideo.params, accessKeySecret: 'testsecret' }).signature;
    expect(
      signRpcV2({ method: 'GET', params: v2DeleteVideo.params, accessKeySecret: 'testsecreT' }).signature,
    ).not.toBe(base);
    expect(
      signRpcV2({ method: 'GET', params: { ...v2DeleteVideo.params, VideoIds: 'x' }, accessKeySecret: 'testsecret' })
        .signature,
    ).not.toBe(base);
  });

  it('builds the common parameters, with SecurityToken only for STS credentials', () => {
    const common = rpcV2CommonParams({ version: '2017-03-21', accessKeyId: 'id', nonce: 'n', timestamp: 't' });
    expect(common).toEqual({
      Format: 'JSON',
      Version: '2017-03-21',
      AccessKeyId: 'id',
      SignatureMethod: 'HMAC-SHA1',
      SignatureVersion: '1.0',
      SignatureNonce: 'n',
      Timestamp: 't',
    });
    expect(
      rpcV2CommonParams({ version: 'v', accessKeyId: 'id', nonce: 'n', timestamp: 't', securityToken: 'sts' })
        .SecurityToken,
    ).toBe('sts');
  });
});

describe('signature V3 (ACS3-HMAC-SHA256), every vector of providers.md §6.2 and §6.3', () => {
  it('reproduces the published RunInstances vector: hash, signature and Authorization', () => {
    expect(sha256Hex('')).toBe(v3RunInstances.emptyBodyHash);
    const signed = signRpcV3({
      method: v3RunInstances.method,
      host: v3RunInstances.host,
      query: Object.entries(v3RunInstances.query),
      headers: Object.entries(v3RunInstances.headers),
      hashedPayload: v3RunInstances.emptyBodyHash,
      accessKeyId: v3RunInstances.accessKeyId,
      accessKeySecret: v3RunInstances.secret,
    });
    expect(signed.hashedCanonicalRequest).toBe(v3RunInstances.hashedCanonicalRequest);
    expect(signed.signature).toBe(v3RunInstances.signature);
    expect(signed.authorization).toBe(v3RunInstances.authorization);
    expect(signed.canonicalRequest.split('\n').slice(0, 3)).toEqual([
      'POST',
      '/',
      'ImageId=win2019_1809_x64_dtc_zh-cn_40G_alibase_20230811.vhd&RegionId=cn-shanghai',
    ]);
  });

  it('reproduces the DeleteVideo vector', () => {
    const signed = signRpcV3({
      method: v3DeleteVideo.method,
      host: v3DeleteVideo.host,
      query: Object.entries(v3DeleteVideo.query),
      headers: Object.entries(v3DeleteVideo.headers),
      hashedPayload: sha256Hex(''),
      accessKeyId: v3DeleteVideo.accessKeyId,
      accessKeySecret: v3DeleteVideo.secret,
    });
    expect(signed.hashedCanonicalRequest).toBe(v3DeleteVideo.hashedCanonicalRequest);
    expect(signed.signature).toBe(v3DeleteVideo.signature);
  });

  it('signs host, content-type and x-acs-* headers only, whatever their case and order', () => {
    const signed = signRpcV3({
      method: 'post',
      host: 'vod.cn-shanghai.aliyuncs.com',
      query: [],
      headers: [
        ['User-Agent', 'x'],
        ['Content-Type', 'application/x-www-form-urlencoded'],
        ['X-Acs-Date', ' 2023-10-26T10:22:32Z '],
        ['x-acs-action', 'DeleteVideo'],
      ],
      hashedPayload: sha256Hex('VideoIds=a'),
      accessKeyId: 'id',
      accessKeySecret: 'secret',
    });
    expect(signed.signedHeaders).toBe('content-type;host;x-acs-action;x-acs-date');
    expect(signed.canonicalRequest).toContain('x-acs-date:2023-10-26T10:22:32Z\n');
  });

  it('lets a verifier recompute the signature from the headers a request names', () => {
    const canonical = acs3CanonicalRequest({
      method: v3RunInstances.method,
      query: Object.entries(v3RunInstances.query),
      headers: [['host', v3RunInstances.host], ...Object.entries(v3RunInstances.headers)],
      hashedPayload: v3RunInstances.emptyBodyHash,
    });
    expect(acs3Signature(v3RunInstances.secret, canonical.canonicalRequest).signature).toBe(v3RunInstances.signature);
  });
});

describe('Alibaba timestamps', () => {
  it('formats UTC to the second and parses only that exact form', () => {
    const date = new Date('2016-02-23T12:46:24.789Z');
    expect(formatAliyunTimestamp(date)).toBe('2016-02-23T12:46:24Z');
    expect(parseAliyunTimestamp('2016-02-23T12:46:24Z')).toBe(Date.UTC(2016, 1, 23, 12, 46, 24));
    for (const bad of [
      '2016-02-23T12:46:24.000Z',
      '2016-02-23 12:46:24Z',
      '2016-02-30T12:46:24Z',
      '2016-02-23T12:46:24+08:00',
      '',
    ]) {
      expect(parseAliyunTimestamp(bad), bad).toBeUndefined();
    }
  });
});
