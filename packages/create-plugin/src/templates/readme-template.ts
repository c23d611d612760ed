import type { PluginNames } from '../plugin-names.js';

export function readmeTemplate({ id, packageName, displayName }: PluginNames): string {
  return `# ${packageName}

unreel provider plugin for ${displayName}, with an HTTP simulator of its API. Created by \`create-unreel-plugin\`: the
provider, the simulator and the conformance test pass as generated; make them say what ${displayName} really does
(its docs are the reference, for the simulator above all), keeping the suite green.

\`\`\`json
{ "name": "${id}", "plugin": "${packageName}", "settings": { "apiKey": "\${${id.toUpperCase().replaceAll('-', '_')}_API_KEY}", "baseUrl": "https://api.example.com/v1" } }
\`\`\`

\`plugin\` is this package's name once it is installed beside the server, or a path to this folder (relative to the
config file), which the host loads through \`main\`. Video ids of the account are \`${id}:<the provider's id>\`.

## Settings

| setting | default | |
|---|---|---|
| \`apiKey\` | (required) | **Secret.** Sent as \`Authorization: Bearer <apiKey>\`; redacted from errors and logs. |
| \`baseUrl\` | (required) | Where the API is served, e.g. a simulator's \`url\`. |
| \`requestsPerSecond\` | \`10\` | The provider's documented limit; the host paces calls to it. |
| \`timeoutMs\` | \`10000\` | Per request, up to the last byte of the answer. |

Unknown settings are refused, naming the field.

## What it calls and how answers map

| the API answers | unreel gets |
|---|---|
| \`DELETE /videos/{id}\` \`204\` | \`DELETED\` |
| \`404 video_not_found\` | \`NOT_FOUND\` (a 404 without that code throws \`INVALID_REQUEST\`: check \`baseUrl\`) |
| \`409 video_processing\` | \`FAILED\` \`IN_PROCESSING\` |
| \`403 forbidden\` | \`FAILED\` \`FORBIDDEN\` |
| \`401\` | throws \`UNAUTHORIZED\` |
| \`429\` | throws \`RATE_LIMITED\` with \`retryAfterMs\` from \`Retry-After\` |
| \`5xx\`, timeout, network | throws a retryable \`PROVIDER_ERROR\` / \`TIMEOUT\` / \`NETWORK_ERROR\` |

\`doGetVideos\` sends \`GET /videos/{id}\` per id; \`doListVideos\` pages \`GET /videos?offset&limit\`, at most 100 a page.

## Listing and filters

A selection (delete every video created before a date, or in a status) lists the account with a filter. This plugin
sends the statuses asked as \`GET /videos?status=processing,ready\` (\`capabilities.listFilters.status\`); the API has
no date filter, so the host checks dates on each listed page. Change both to what ${displayName} really filters on.

The listing pages by \`offset\`: when listed videos are deleted while a selection runs, the later ones move up and a
single pass would skip them; the host lists again from the start until a pass finds nothing new. A cursor-based API
is stable and should say so here.

## Develop

\`\`\`sh
npm install
npm test            # builds, then runs the conformance suite against the simulator over real HTTP
npm run typecheck   # the tests, against the built package
npm run simulate    # the simulator on its own: prints { url, credentials, videoIds }
\`\`\`

- \`src/${id}-settings.ts\`: the settings schema (zod; any Standard Schema works).
- \`src/${id}-provider.ts\`: the provider: one attempt per call, provider-spec errors for whole-call failures,
  outcomes for answers about one video.
- \`simulator/${id}-simulator.ts\`: the provider's API as its docs describe it, with the control surface the
  conformance suite drives (\`seed\`, \`missingId\`, \`failNext\`, \`stateOf\`, \`calls\`).
- \`test/${id}-conformance.test.ts\`: \`defineProviderConformanceSuite\` from \`@unreel/provider-testkit\`.

The plugin author's guide (\`docs/plugin-authors.md\` in the unreel repository) says what the host does for a plugin
and how to publish one.
`;
}
