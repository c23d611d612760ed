export { createPlugin, CreatePluginError, type CreatePluginOptions, type CreatedPlugin } from './create-plugin.js';
export { pluginNames, PluginNameError, type PluginNames } from './plugin-names.js';
