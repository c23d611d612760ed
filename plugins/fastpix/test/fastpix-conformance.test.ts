import { defineProviderConformanceSuite } from '@unreel/provider-testkit';
import fastpix from '@unreel/plugin-fastpix';
import { startSimulator } from '@unreel/plugin-fastpix/simulator';

defineProviderConformanceSuite({
  plugin: fastpix,
  // The assumed rate limit is the simulator tests' business; here it would only add 429s the suite did not ask for.
  simulator: () => startSimulator({ videoCount: 20, rateLimit: false }),
  settings: (simulator, { wrongCredentials }) => ({
    baseUrl: simulator.url,
    accessTokenId: simulator.credentials.accessTokenId,
    secretKey: wrongCredentials ? 'not-the-secret-key' : simulator.credentials.secretKey,
    webhookSecret: 'ZmFzdHBpeC10ZXN0LXNlY3JldC0wMTIzNDU2Nzg5YWI=',
  }),
  // FastPix documents nothing about deleting a media still processing; the simulator's default lets it go.
  inProcessing: 'deleted',
  forbidden: true,
  throttleSaysWhen: true,
});
