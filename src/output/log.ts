// Log lines through pino. Two formats (DESIGN.md "Log lines"): `text`, one
// readable event per line for syslog (procd tags it "updyn"; info/debug on
// stdout, warn/error on stderr so syslog files them at error priority), and
// `json`, pino's own lines. Every line passes through redact() on its way out.
import pino from 'pino';
import type { Log, LogLevel } from '../types';
import { redact } from '../lib/secrets';

export interface Sink {
  write(chunk: string): unknown;
}

export interface LogOptions {
  level?: LogLevel;
  format?: 'text' | 'json';
  stdout?: Sink;
  stderr?: Sink;
  /** Prefix text lines with the time (for a terminal; syslog stamps lines itself). */
  timestamps?: boolean;
}

const SEVERE = new Set(['warn', 'error', 'fatal']);

export function createLog(opts: LogOptions = {}): Log {
  const stdout = opts.stdout ?? process.stdout;
  const stderr = opts.stderr ?? process.stderr;
  const format = opts.format ?? 'text';
  const timestamps = opts.timestamps ?? false;

  const destination = {
    write(line: string) {
      // pino hands us one JSON document per call; pick the stream by level
      let level = 'info';
      let text = line;
      try {
        const doc = JSON.parse(line) as { level?: string; msg?: string };
        level = doc.level ?? 'info';
        if (format === 'text') text = `${timestamps ? `${clockTime()} ` : ''}${doc.msg ?? ''}\n`;
      } catch {
        // not JSON: pass through as is (still redacted)
      }
      (SEVERE.has(level) ? stderr : stdout).write(redact(text));
    },
  };

  const logger = pino(
    {
      level: opts.level ?? 'info',
      base: null,
      timestamp: format === 'json' ? pino.stdTimeFunctions.isoTime : false,
      formatters: { level: (label) => ({ level: label }) },
    },
    destination,
  );

  const emit = (level: LogLevel) => (msg: string, fields?: Record<string, unknown>) => {
    if (fields && format === 'json') logger[level](fields, msg);
    else logger[level](msg);
  };
  return {
    debug: emit('debug'),
    info: emit('info'),
    warn: emit('warn'),
    error: emit('error'),
    setLevel(level) {
      logger.level = level;
    },
  };
}

function clockTime(): string {
  return new Date().toTimeString().slice(0, 8);
}
