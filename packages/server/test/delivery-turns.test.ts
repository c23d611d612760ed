import { setImmediate as nextTurn } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { DeliveryTurns } from '../src/graphql/delivery-turns.js';

/** A clock that only moves when the test's work says it took time. */
function fakeClock(): { now: () => number; spend: (ms: number) => void } {
  let at = 0;
  return { now: () => at, spend: (ms) => void (at += ms) };
}

describe('DeliveryTurns', () => {
  it('lets an execution go on while the turn has budget, then resumes it in a later turn', async () => {
    const clock = fakeClock();
    const turns = new DeliveryTurns(4, clock.now);
    const steps: string[] = [];
    const execution = (async () => {
      for (let step = 0; step < 6; step += 1) {
        await turns.pace();
        clock.spend(1);
        steps.push(`step ${step}`);
      }
    })();
    // Other I/O of the process, between turns: it must find the execution paused after the budget of one turn.
    await nextTurn();
    steps.push('turn ended');
    await execution;
    expect(steps.slice(0, 5)).toEqual(['step 0', 'step 1', 'step 2', 'step 3', 'turn ended']);
    expect(steps.slice(5)).toEqual(['step 4', 'step 5']);
  });

  it('gives executions and writes one budget per turn, in the order they asked', async () => {
    const clock = fakeClock();
    const turns = new DeliveryTurns(4, clock.now);
    const log: string[] = [];
    // A turn already spent by a write: the execution asking next waits behind the writes queued before it.
    const writes = [
      turns.run(() => {
        clock.spend(4);
        log.push('write 1');
      }),
      turns.run(() => {
        clock.spend(1);
        log.push('write 2');
      }),
    ];
    await nextTurn();
    expect(log).toEqual(['write 1']);
    const execution = (async () => {
      await turns.pace();
      clock.spend(1);
      log.push('execution');
    })();
    const later = turns.run(() => log.push('write 3'));
    await Promise.all([...writes, execution, later]);
    // The slice that resumes the execution ends with it: the write queued after it waits for the next slice.
    expect(log).toEqual(['write 1', 'write 2', 'execution', 'write 3']);
  });
});
