/**
 * Regions whose VOD endpoint is not `vod.<regionId>.aliyuncs.com`: the official SDK's `regional` endpoint map
 * (providers.md §5.1; aliyun/alibabacloud-typescript-sdk `vod-20170321/src/client.ts`). cn-hangzhou has no VOD
 * endpoint of its own and is served from Shanghai; the others go to the central endpoint.
 */
const SPECIAL_REGIONS: Readonly<Record<string, string>> = {
  'cn-hangzhou': 'vod.cn-shanghai.aliyuncs.com',
  ...Object.fromEntries(
    [
      'ap-northeast-2-pop',
      'ap-southeast-2',
      'ap-southeast-3',
      'cn-beijing-finance-1',
      'cn-beijing-finance-pop',
      'cn-beijing-gov-1',
      'cn-beijing-nu16-b01',
      'cn-chengdu',
      'cn-edge-1',
      'cn-fujian',
      'cn-haidian-cm12-c01',
      'cn-hangzhou-bj-b01',
      'cn-hangzhou-finance',
      'cn-hangzhou-internal-prod-1',
      'cn-hangzhou-internal-test-1',
      'cn-hangzhou-internal-test-2',
      'cn-hangzhou-internal-test-3',
      'cn-hangzhou-test-306',
      'cn-hongkong-finance-pop',
      'cn-huhehaote',
      'cn-huhehaote-nebula-1',
      'cn-qingdao',
      'cn-qingdao-nebula',
      'cn-shanghai-et15-b01',
      'cn-shanghai-et2-b01',
      'cn-shanghai-finance-1',
      'cn-shanghai-inner',
      'cn-shanghai-internal-test-1',
      'cn-shenzhen-finance-1',
      'cn-shenzhen-inner',
      'cn-shenzhen-st4-d01',
      'cn-shenzhen-su18-b01',
      'cn-wuhan',
      'cn-wulanchabu',
      'cn-yushanfang',
      'cn-zhangbei',
      'cn-zhangbei-na61-b01',
      'cn-zhangjiakou-na62-a01',
      'cn-zhengzhou-nebula-1',
      'eu-west-1-oxs',
      'me-east-1',
      'rus-west-1-pop',
      'us-east-1',
    ].map((region) => [region, 'vod.aliyuncs.com']),
  ),
};

/** The HTTPS base URL for a region, as the official SDK resolves it. */
export function vodEndpointForRegion(regionId: string): string {
  return `https://${SPECIAL_REGIONS[regionId] ?? `vod.${regionId}.aliyuncs.com`}`;
}
