// The cli's arguments and its log line, apart from cli.ts so that tests can import them without
// starting a provider (cli.ts runs on import).
import { isIPv6 } from 'node:net';
import { parseIp } from './address';
import type { Account, RecordedRequest } from './types';

export interface CliOptions {
  listen?: { host: string; port: number }[];
  accounts?: Account[];
  checkip4?: string;
  checkip6?: string;
  quiet: boolean;
  controlStdio: boolean;
}

/** The options, or an Error whose message is the usage problem. */
export function parseCli(argv: readonly string[]): CliOptions {
  const o: CliOptions = { quiet: false, controlStdio: false };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? '';
    const value = (): string => {
      const v = argv[++i];
      if (v === undefined) throw new Error(`${arg} needs a value`);
      return v;
    };
    if (arg === '--listen') (o.listen ??= []).push(parseListen(value()));
    else if (arg === '--account') (o.accounts ??= []).push(parseAccount(value()));
    else if (arg === '--checkip4') o.checkip4 = address(arg, value());
    else if (arg === '--checkip6') o.checkip6 = address(arg, value());
    else if (arg === '--quiet') o.quiet = true;
    else if (arg === '--control-stdio') o.controlStdio = true;
    else throw new Error(`unknown argument ${JSON.stringify(arg)}`);
  }
  return o;
}

function address(flag: string, text: string): string {
  if (!parseIp(text)) throw new Error(`${flag} ${JSON.stringify(text)}: not an IP address`);
  return text;
}

/** HOST:PORT, [V6]:PORT, or a bare host (port 0: a free one, shared by the others). */
function parseListen(text: string): { host: string; port: number } {
  const m = /^\[([^\]]+)\](?::(\d+))?$/.exec(text) ?? (isIPv6(text) ? null : /^([^:]+)(?::(\d+))?$/.exec(text));
  const host = m ? m[1] : isIPv6(text) ? text : undefined;
  const port = Number(m?.[2] ?? 0);
  if (host === undefined || !Number.isInteger(port) || port > 65535) throw new Error(`--listen ${JSON.stringify(text)}: want HOST:PORT or [IPV6]:PORT`);
  return { host, port };
}

function parseAccount(text: string): Account {
  const [user, token, hosts, flag, ...rest] = text.split(':');
  if (!user || !token || !hosts || rest.length > 0 || (flag !== undefined && flag !== 'disabled'))
    throw new Error(`--account ${JSON.stringify(text)}: want USER:TOKEN:HOST[,HOST...][:disabled]`);
  return { user, token, hosts: hosts.split(','), updatesEnabled: flag !== 'disabled' };
}

export function logLine(r: RecordedRequest): string {
  const first = r.answer.split('\n')[0] ?? '';
  const mode = r.mode === 'normal' ? '' : ` [${r.mode}]`;
  return `${r.wallIso.slice(11, 23)} #${r.seq} ${r.method} ${r.path} from ${r.remoteAddress} -> ${r.status}${mode} ${first}\n`;
}
