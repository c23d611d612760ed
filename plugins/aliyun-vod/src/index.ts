import { definePlugin } from '@unreel/provider-spec';
import { AliyunVodProvider } from './aliyun-vod-provider.js';
import { aliyunVodSettingsSchema } from './aliyun-vod-settings.js';

export default definePlugin({
  specificationVersion: 'v1',
  id: 'aliyun-vod',
  displayName: 'Alibaba Cloud ApsaraVideo VOD',
  settingsSchema: aliyunVodSettingsSchema,
  secretSettings: ['accessKeySecret', 'securityToken', 'callbackAuthKey'],
  create(settings, context) {
    return new AliyunVodProvider(settings, context);
  },
});

export { aliyunVodSettingsSchema };
export type { AliyunVodSettings, AliyunVodSettingsInput } from './aliyun-vod-settings.js';
