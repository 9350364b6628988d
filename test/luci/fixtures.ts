// status.json documents for every state the status page must tell apart, in
// the exact shape src/engine/status.ts writes, with times relative to NOW
// (the browser's clock is fixed there). Status documents never hold a secret;
// the UCI fixture holds TOKEN so tests can prove where it may and may not go.
import type { StatusDocument, StatusRecord, StatusService } from '../../src/output/status-file';
import { TOKEN } from '../support/fixtures';
import type { UciValues } from './harness/rpcd';

export { TOKEN };
export const NOW = Date.parse('2026-03-01T12:00:00.000Z');
export const STATUS_FILE = '/var/run/updyn/status.json';

/** NOW plus `s` seconds, as status.json writes times */
export const at = (s: number): string => new Date(NOW + s * 1000).toISOString();

const H = 3600;

export function record(over: Partial<StatusRecord> = {}): StatusRecord {
  return {
    host: 'home.example.com', family: 'ipv4', type: 'A',
    current: '203.0.113.5', source: 'interface',
    registered: '203.0.113.5', registered_at: at(-2 * H),
    last_attempt_at: at(-2 * H), last_result: 'ok', last_message: 'HTTP 200',
    next_attempt_at: at(22 * H), tokens: 3,
    ...over,
  };
}

const v6 = (over: Partial<StatusRecord> = {}) =>
  record({ family: 'ipv6', type: 'AAAA', current: '2001:db8::5', registered: '2001:db8::5', ...over });

export function doc(pid: number, services: StatusService[]): StatusDocument {
  return { version: '0.1.0', pid, started_at: at(-3 * H), updated_at: at(-10), detector: 'netlink', services };
}

const home = (...records: StatusRecord[]): StatusService => ({ name: 'home', device: 'eth0', records });

export const fixtures = {
  allOk: (pid: number) => doc(pid, [home(record(), v6())]),
  rejected: (pid: number) => doc(pid, [home(record({
    current: '203.0.113.9', registered: '203.0.113.5', last_attempt_at: at(-5 * 60), last_result: 'rejected',
    last_message: 'HTTP 401: bad login or token', next_attempt_at: at(24 * H - 5 * 60), tokens: 2,
  }))]),
  trouble: (pid: number) => doc(pid, [home(record({
    current: '203.0.113.9', last_attempt_at: at(-3 * 60), last_result: 'error',
    last_message: 'HTTP 503: service unavailable', next_attempt_at: at(2 * 60), tokens: 1,
  }))]),
  rateLimited: (pid: number) => doc(pid, [home(record({
    current: '203.0.113.9', registered: '203.0.113.8', last_attempt_at: at(-15 * 60), last_result: 'pending',
    last_message: 'rate limited', next_attempt_at: at(45 * 60), tokens: 0.25,
  }))]),
  checkip: (pid: number) => doc(pid, [{ name: 'nat', device: 'pppoe-wan', records: [record({
    host: 'nat.example.net', current: '198.51.100.7', source: 'checkip', registered: '198.51.100.7',
  })] }]),
  noService: (pid: number) => doc(pid, []),
  several: (pid: number) => doc(pid, [
    home(record(), v6({ current: '2001:db8::9', registered: '2001:db8::5', last_attempt_at: null,
      last_result: 'pending', last_message: '', next_attempt_at: at(0) })),
    { name: 'office', device: 'eth1', records: [record({
      host: 'office.example.org', current: '192.0.2.10', registered: null, registered_at: null,
      last_attempt_at: at(-50 * H), last_result: 'rejected', last_message: 'badauth', next_attempt_at: null, tokens: 2.5,
    })] },
    { name: 'lab', device: 'wan', records: [record({
      host: 'lab.example.org', current: null, source: null, registered: '198.51.100.20',
      last_attempt_at: at(-30), last_result: 'error', last_message: 'timeout after 10 s', next_attempt_at: at(90), tokens: 1,
    })] },
  ]),
};

/** /etc/config/updyn as rpcd's uci get returns it: one named service, one anonymous */
export function uciFixture(): Record<string, UciValues> {
  return {
    updyn: {
      global: { '.type': 'updyn', '.name': 'global', '.anonymous': false, '.index': 0, log_level: 'info', state_dir: '/var/run/updyn' },
      home: {
        '.type': 'service', '.name': 'home', '.anonymous': false, '.index': 1,
        enabled: 'yes', protocol: 'zerigo', username: 'login@example.com', password: TOKEN,
        host: ['home.example.com', 'www.example.com alt.example.com'], interface: 'wan', check_interval: '600',
      },
      cfg03a1b2: {
        '.type': 'service', '.name': 'cfg03a1b2', '.anonymous': true, '.index': 2,
        enabled: '0', protocol: 'dyndns2', service_name: 'dyn.com', username: 'me', host: 'office.example.org', device: 'eth1',
      },
    },
  };
}
