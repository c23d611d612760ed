export type SimulatedFault = 'throttle' | 'server-error';

/** Faults a simulator injects: planned ones first (tests), then a random rate (a switch for soak runs). */
export class FaultSchedule {
  errorRate: number;
  private readonly random: () => number;
  private readonly planned: SimulatedFault[] = [];

  constructor(options: { errorRate?: number; random?: () => number } = {}) {
    this.errorRate = options.errorRate ?? 0;
    this.random = options.random ?? Math.random;
  }

  failNext(kind: SimulatedFault, count: number): void {
    for (let index = 0; index < count; index += 1) this.planned.push(kind);
  }

  next(): SimulatedFault | undefined {
    const planned = this.planned.shift();
    if (planned) return planned;
    return this.errorRate > 0 && this.random() < this.errorRate ? 'server-error' : undefined;
  }
}
