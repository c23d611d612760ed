import { writeFile } from 'node:fs/promises';
import { Session } from 'node:inspector/promises';
import { videoQueryServers, type VideoQueryServerName } from './video-query-servers.js';

/** What the bench asks of a server process over IPC. */
export type ServerCommand = 'cpu' | 'profile-start' | { profileStop: string } | 'close';

/**
 * One server under test in a process of its own (forked by video-query.bench), so the load generator in the parent
 * never competes with it for its core. Says `{ url }` once listening; answers `cpu` with `{ cpuUs }`, the CPU time it
 * has used so far (user and system: per request, the figure a busy machine disturbs least); `profile-start` starts
 * V8's sampling profiler (after the warm-up, so start-up and compilation stay out of it) and `{ profileStop: path }`
 * writes the .cpuprofile there and answers `{ profiled: path }`; `close` closes the server and exits.
 */
const name = process.argv[2] as VideoQueryServerName;
const start = videoQueryServers[name];
if (!start || !process.send) {
  console.error(`usage: fork video-query-server.js <${Object.keys(videoQueryServers).join('|')}> with an IPC channel`);
  process.exit(2);
}
const server = await start();
const session = new Session();

async function obey(command: ServerCommand): Promise<void> {
  if (command === 'cpu') {
    const { user, system } = process.cpuUsage();
    process.send?.({ cpuUs: user + system });
  } else if (command === 'profile-start') {
    session.connect();
    await session.post('Profiler.enable');
    // A sample every 100 µs: a request costs a few hundred, so a function of a few µs still shows.
    await session.post('Profiler.setSamplingInterval', { interval: 100 });
    await session.post('Profiler.start');
    process.send?.({ profiling: true });
  } else if (command === 'close') {
    await server.close();
    process.exit(0);
  } else {
    const { profile } = await session.post('Profiler.stop');
    await writeFile(command.profileStop, JSON.stringify(profile));
    session.disconnect();
    process.send?.({ profiled: command.profileStop });
  }
}

process.on('message', (command: ServerCommand) => void obey(command));
// The parent went away without saying so: nobody is left to tell us to close.
process.on('disconnect', () => process.exit(0));
process.send({ url: server.url });
