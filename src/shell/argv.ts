// Argument parsing and dispatch. Exit codes (DESIGN.md): 0 fine, 1 an update
// failed or was rejected, 2 bad usage or bad config.
import { parseArgs } from 'node:util';
import { VERSION } from '../version';
import { isDeviceName } from '../lib/netdev';

export const EXIT_OK = 0;
export const EXIT_FAILED = 1;
export const EXIT_USAGE = 2;

export const USAGE = `updyn ${VERSION}: keeps DNS names pointing at this router's addresses

usage:
  updyn run          [-c FILE] [--device SERVICE=DEV]... [--dry-run]   the daemon, in the foreground
  updyn once         [-c FILE] [--device SERVICE=DEV]... [--dry-run] [--force]
                                                     one pass, for cron; same rules via the saved state
  updyn check-config [-c FILE] [--json]              validate; print the effective config, secrets redacted
  updyn status       [-c FILE] [--json]              what the running daemon last wrote
  updyn --version | --help

FILE defaults to /var/run/uci/updyn when it exists, else /etc/config/updyn.
exit codes: 0 fine, 1 an update failed or was rejected, 2 bad usage or bad config
signals (run): HUP reload config, USR1 force update, USR2 re-check addresses, TERM/INT stop
`;

export interface CommonArgs {
  config?: string;
  devices: Map<string, string>;
  dryRun: boolean;
  force: boolean;
  json: boolean;
}

export type Command =
  | { kind: 'run' | 'once' | 'check-config' | 'status'; args: CommonArgs }
  | { kind: 'help' }
  | { kind: 'version' }
  | { kind: 'usage-error'; message: string };

const ALLOWED: Record<string, string[]> = {
  run: ['config', 'device', 'dry-run'],
  once: ['config', 'device', 'dry-run', 'force'],
  'check-config': ['config', 'json'],
  status: ['config', 'json'],
};

export function parseCommand(argv: string[]): Command {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      strict: true,
      options: {
        config: { type: 'string', short: 'c' },
        device: { type: 'string', multiple: true },
        'dry-run': { type: 'boolean' },
        force: { type: 'boolean' },
        json: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
        version: { type: 'boolean', short: 'V' },
      },
    });
  } catch (e) {
    return { kind: 'usage-error', message: (e as Error).message.split('\n')[0] ?? 'bad arguments' };
  }
  const { values, positionals } = parsed;
  if (values.help) return { kind: 'help' };
  if (values.version) return { kind: 'version' };
  const [name, ...extra] = positionals;
  if (name === undefined) return { kind: 'usage-error', message: 'no command given' };
  if (name === 'help') return { kind: 'help' };
  if (name === 'version') return { kind: 'version' };
  const allowed = ALLOWED[name];
  if (!allowed) return { kind: 'usage-error', message: `unknown command '${name}'` };
  if (extra.length > 0) return { kind: 'usage-error', message: `unexpected argument '${extra[0]}'` };
  for (const opt of Object.keys(values)) {
    if (!allowed.includes(opt)) return { kind: 'usage-error', message: `'${name}' does not take --${opt}` };
  }
  if (values.config === '') return { kind: 'usage-error', message: '-c needs a file name' };
  const devices = new Map<string, string>();
  for (const d of values.device ?? []) {
    const m = /^([^=]+)=(.+)$/.exec(d);
    if (!m) return { kind: 'usage-error', message: `--device takes SERVICE=DEV, got '${d}'` };
    const [, service = '', dev = ''] = m;
    if (!isDeviceName(dev)) return { kind: 'usage-error', message: `--device ${service}: '${dev}' is not a device name` };
    devices.set(service, dev);
  }
  return {
    kind: name as 'run' | 'once' | 'check-config' | 'status',
    args: {
      ...(values.config !== undefined ? { config: values.config } : {}),
      devices,
      dryRun: values['dry-run'] ?? false,
      force: values.force ?? false,
      json: values.json ?? false,
    },
  };
}
