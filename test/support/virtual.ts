// Virtual time for the engine: a clock and timers that only move when a test
// says so, so hours of rate limits and backoff run in milliseconds.
import type { Clock, Timers } from '../../src/types';

export class VirtualClock implements Clock {
  constructor(
    public mono = 1_000_000,
    public wallBase = Date.parse('2026-11-27T10:00:00Z'),
  ) {}
  now(): number {
    return this.mono;
  }
  wall(): number {
    return this.wallBase + this.mono;
  }
}

interface Pending {
  at: number;
  seq: number;
  fn: () => void;
}

export class VirtualTimers implements Timers {
  private pending: Pending[] = [];
  private seq = 0;
  constructor(private readonly clock: VirtualClock) {}

  set(fn: () => void, ms: number): unknown {
    const p = { at: this.clock.mono + ms, seq: this.seq++, fn };
    this.pending.push(p);
    return p;
  }
  clear(handle: unknown): void {
    this.pending = this.pending.filter((p) => p !== handle);
  }
  count(): number {
    return this.pending.length;
  }
  next(): number | null {
    return this.pending.length ? Math.min(...this.pending.map((p) => p.at)) : null;
  }

  /** Moves time to `t`, firing every timer due on the way, in order; `settle` runs after each. */
  async advanceTo(t: number, settle: () => Promise<void> = flush): Promise<void> {
    for (let guard = 0; guard < 1_000_000; guard++) {
      const due = this.pending.filter((p) => p.at <= t).sort((a, b) => a.at - b.at || a.seq - b.seq)[0];
      if (!due) break;
      this.pending = this.pending.filter((p) => p !== due);
      this.clock.mono = Math.max(this.clock.mono, due.at);
      due.fn();
      await settle();
    }
    this.clock.mono = Math.max(this.clock.mono, t);
  }
}

/** Lets pending promise callbacks run. */
export async function flush(): Promise<void> {
  for (let i = 0; i < 5; i++) await new Promise<void>((r) => setImmediate(r));
}
