// "Never two writes at once, and no write wasted": the one serializer every
// writer of state.json and status.json goes through.

/**
 * `fn` called by many, run by few. A call while a run is going on shares the
 * one run queued behind it, which starts (and so reads whatever it writes)
 * only after that call; under a burst the runs go back to back, one per burst.
 */
export function coalesced<T>(fn: () => Promise<T>): () => Promise<T> {
  let running: Promise<T> | null = null;
  let queued: Promise<T> | null = null;
  const start = (): Promise<T> => (running = fn().finally(() => (running = null)));
  return () => {
    if (queued) return queued;
    if (!running) return start();
    queued = running
      .catch(() => undefined)
      .then(() => {
        queued = null;
        return start();
      });
    return queued;
  };
}

/**
 * Runs the functions given to it one at a time, in call order: writers that
 * share a small directory must not hold two temp files at once.
 */
export function oneAtATime(): <T>(fn: () => Promise<T>) => Promise<T> {
  let tail: Promise<unknown> = Promise.resolve();
  return <T>(fn: () => Promise<T>): Promise<T> => {
    const run = tail.then(fn, fn);
    tail = run.catch(() => undefined);
    return run;
  };
}
