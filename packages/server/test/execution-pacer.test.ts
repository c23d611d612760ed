import { setImmediate as nextTurn } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { ExecutionPacer } from '../src/graphql/execution-pacer.js';

describe('ExecutionPacer', () => {
  it('lets an execution go on for its slice of time, then lets the event loop take a turn', async () => {
    let at = 0;
    const pacer = new ExecutionPacer(4, () => at);
    const steps: string[] = [];
    const execution = (async () => {
      for (let step = 0; step < 10; step += 1) {
        await pacer.pace();
        // Slower steps later on (a loaded machine): the slice holds fewer of them.
        at += step < 4 ? 1 : 2;
        steps.push(`step ${step}`);
      }
    })();
    // Other I/O of the process, on the next turn: it must come after one slice of the execution.
    await nextTurn();
    steps.push('turn');
    await nextTurn();
    steps.push('turn');
    await execution;
    expect(steps).toEqual([
      'step 0',
      'step 1',
      'step 2',
      'step 3',
      'turn',
      'step 4',
      'step 5',
      'turn',
      'step 6',
      'step 7',
      'step 8',
      'step 9',
    ]);
  });
});
