import { definePlugin } from '@unreel/provider-spec';
import { SandboxLibrary } from './sandbox-library.js';
import { SandboxProvider } from './sandbox-provider.js';
import { sandboxSettingsSchema } from './sandbox-settings.js';

const libraries = new Map<string, SandboxLibrary>();

/** The library behind an account (or a named shared library), for tests and tools that steer the sandbox. */
export function getSandboxLibrary(name: string): SandboxLibrary | undefined {
  return libraries.get(name);
}

export default definePlugin({
  specificationVersion: 'v1',
  id: 'sandbox',
  displayName: 'Sandbox (in-process)',
  settingsSchema: sandboxSettingsSchema,
  create(settings, context) {
    const name = settings.library ?? context.account;
    // A named library is shared by every account that names it; otherwise each account starts from its seed.
    let library = settings.library === undefined ? undefined : libraries.get(name);
    if (!library) {
      library = new SandboxLibrary(settings);
      libraries.set(name, library);
    }
    return new SandboxProvider(settings, library);
  },
});

export { SandboxLibrary, sandboxSettingsSchema };
export type { SandboxCall, SandboxFault, SandboxVideo, SandboxVideoState } from './sandbox-library.js';
export type { SandboxSettings } from './sandbox-settings.js';
