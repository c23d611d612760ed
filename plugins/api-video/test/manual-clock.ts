/** A clock tests move by hand: token expiry, the 90-day purge and rate-limit windows then need no waiting. */
export class ManualClock {
  /** 15 s into a minute, so a 60 s window has exactly 45 s left. */
  ms = Date.UTC(2026, 0, 5, 10, 0, 15);
  readonly now = (): number => this.ms;

  advance(ms: number): void {
    this.ms += ms;
  }
}

export const DAY_MS = 86_400_000;
