// A logger that keeps its lines in memory, for tests of the engine and the files.
import type { Log, LogLevel } from '../../src/types';
import { createLog, type Sink } from '../../src/output/log';

export function memoryLog(level: LogLevel = 'debug'): Log & { lines: { level: string; msg: string }[] } {
  const lines: { level: string; msg: string }[] = [];
  const sink = (lvl: string): Sink => ({ write: (s: string) => lines.push({ level: lvl, msg: s.replace(/\n$/, '') }) });
  const log = createLog({ level, stdout: sink('out'), stderr: sink('err') });
  return Object.assign(log, { lines });
}
