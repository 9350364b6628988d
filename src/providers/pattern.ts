// success_pattern, in one place: compiled for check-config (values.ts) and
// matched against untrusted answers (custom.ts). JavaScript's regular
// expressions backtrack, so a pattern such as '^(a+)+$' takes exponential time
// on an answer the provider chooses ('aaaa…b'), and a match on the main thread
// would block the whole daemon: every service, SIGTERM, the state save. So the
// match runs in a worker thread with a deadline; past it the worker is
// terminated (V8 interrupts a running match) and the answer counts as not
// matching. A worker, not a safe subset checked at config time: it keeps every
// pattern users write working, and no syntactic check is exact (nested
// quantifiers are only one way to backtrack; '.*.*.*x' is polynomial, '(a|a)*'
// exponential). The text matched is also cut: update answers are a line or two.
import { Worker } from 'node:worker_threads';
import type { Result } from '../types';
import { err, ok } from '../types';

/** Bytes of the answer the pattern sees. */
export const MATCHED_CHARS = 4096;
/** A match of 4 KiB takes microseconds; this much means backtracking gone wild. */
export const MATCH_DEADLINE_MS = 1000;
/** An idle worker is ended after this, to give its memory back (a router has 128 MB). */
const IDLE_MS = 30_000;

export function compilePattern(s: string): Result<RegExp, string> {
  try {
    return ok(new RegExp(s));
  } catch (e) {
    // V8's own words ("Invalid regular expression: /x(/: Unterminated group"), minus the echo
    const why = e instanceof Error ? e.message.replace(/^Invalid regular expression: \/.*\/[a-z]*: /s, '') : String(e);
    return err(`is not a valid JavaScript regular expression (${why})`);
  }
}

export type MatchResult = 'match' | 'no-match' | 'invalid' | 'timeout';

// Plain JavaScript, run by the worker: one match per message; null for a pattern that does not compile.
const WORKER_SOURCE = `
const { parentPort } = require('node:worker_threads');
parentPort.on('message', ({ pattern, text }) => {
  let r = null;
  try { r = new RegExp(pattern).test(text); } catch { r = null; }
  parentPort.postMessage(r);
});
`;

let worker: Worker | null = null;
let online: Promise<void> | null = null;
let idle: NodeJS.Timeout | null = null;
let queue: Promise<unknown> = Promise.resolve();

/** Whether `pattern` matches the start of `text`, off the main thread, within `deadlineMs`. One match at a time. */
export function matchPattern(pattern: string, text: string, deadlineMs = MATCH_DEADLINE_MS): Promise<MatchResult> {
  const run = queue.then(() => matchOne(pattern, text.slice(0, MATCHED_CHARS), deadlineMs));
  queue = run.catch(() => undefined);
  return run;
}

async function matchOne(pattern: string, text: string, deadlineMs: number): Promise<MatchResult> {
  if (idle) clearTimeout(idle);
  const w = startWorker();
  // held while a match is pending; an idle worker must not keep `once` from exiting
  w.ref();
  try {
    await online;
  } catch {
    stopWorker();
    return 'timeout';
  }
  return new Promise<MatchResult>((resolve) => {
    const done = (r: MatchResult) => {
      clearTimeout(timer);
      w.off('message', onMessage);
      w.off('error', onError);
      w.unref();
      if (r === 'timeout') stopWorker();
      else armIdle();
      resolve(r);
    };
    const onMessage = (m: boolean | null) => done(m === null ? 'invalid' : m ? 'match' : 'no-match');
    const onError = () => done('timeout');
    // the deadline counts from the match, not from the worker's start (slow on a small router)
    const timer = setTimeout(() => done('timeout'), deadlineMs);
    w.on('message', onMessage);
    w.on('error', onError);
    w.postMessage({ pattern, text });
  });
}

function startWorker(): Worker {
  if (worker) return worker;
  const w = new Worker(WORKER_SOURCE, { eval: true, resourceLimits: { maxOldGenerationSizeMb: 16, maxYoungGenerationSizeMb: 4 } });
  online = new Promise((resolve, reject) => {
    w.once('online', () => resolve());
    w.once('error', reject);
  });
  online.catch(() => undefined);
  w.on('exit', () => {
    if (worker === w) worker = null;
  });
  worker = w;
  return w;
}

function stopWorker(): void {
  const w = worker;
  worker = null;
  online = null;
  if (w) void w.terminate();
}

function armIdle(): void {
  idle = setTimeout(stopWorker, IDLE_MS);
  idle.unref();
}
