/**
 * The `{ accounts { name } }` probe of the watchers bench, in a process of its own: the process receiving fifty replays
 * is busy, and a probe there would time that process's queue, not the server's answer. argv: the server's URL. Asks
 * one query after another until told `stop` over IPC, then sends the latencies (ms) and exits.
 */
import { print } from 'graphql';
import { AccountsDocument } from '@unreel/client';

const [url] = process.argv.slice(2);
if (!url || !process.send) throw new Error('usage: fork(watchers-probe.js, [url])');
const send = process.send.bind(process);
const body = JSON.stringify({ query: print(AccountsDocument) });
const state = { asking: true };
process.once('message', () => (state.asking = false));
const times: number[] = [];
send({ type: 'started' });
let failures = 0;
while (state.asking) {
  const started = performance.now();
  try {
    const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
    await response.json();
    times.push(performance.now() - started);
  } catch {
    // A keep-alive connection the server closed as the next request left: counted, and asked again.
    failures += 1;
  }
}
send({ type: 'times', times, failures });
process.exit(0);
