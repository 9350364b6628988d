// The bookkeeping both watchers share: which device names are followed and
// the last view of each that the caller has seen (see viewKey in table.ts),
// so that `change` goes out only when something relevant differs; and a gate
// that keeps a recurring warning to one log line a minute.

export class ChangeTracker {
  private readonly seen = new Map<string, string>();

  /**
   * Follow exactly `devices` from now on. A newly followed device starts from
   * its current view without an event: the caller reads snapshot() after watch().
   */
  setWatched(devices: Iterable<string>, keyOf: (name: string) => string): void {
    const next = new Set(devices);
    for (const name of [...this.seen.keys()]) if (!next.has(name)) this.seen.delete(name);
    for (const name of next) if (!this.seen.has(name)) this.seen.set(name, keyOf(name));
  }

  watched(): string[] {
    return [...this.seen.keys()];
  }

  isWatched(name: string): boolean {
    return this.seen.has(name);
  }

  /** Records `key` as the device's view; true when it differs from the last one (only for followed names). */
  update(name: string, key: string): boolean {
    const before = this.seen.get(name);
    if (before === undefined || before === key) return false;
    this.seen.set(name, key);
    return true;
  }
}

const REPEAT_MS = 60_000;

/** Passes a warning unless the same text passed less than a minute ago; the next one says how often it recurred. */
export class WarningGate {
  private last = { text: '', at: -Infinity, repeats: 0 };

  constructor(private readonly emit: (text: string) => void) {}

  warn(text: string, nowMs = performance.now()): void {
    const last = this.last;
    if (text === last.text && nowMs - last.at < REPEAT_MS) {
      last.repeats++;
      return;
    }
    const note = text === last.text && last.repeats > 0 ? ` (${last.repeats} more times in the last minute)` : '';
    this.last = { text, at: nowMs, repeats: 0 };
    this.emit(text + note);
  }
}
