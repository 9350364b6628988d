// The value types every module shares. Plain data only: no behaviour lives here.

import type { Family } from './lib/ip';

export type { Family } from './lib/ip';
export type { Result } from './lib/result';
export { err, ok } from './lib/result';
export type { Clock, Timers } from './lib/clock';

export const FAMILIES: readonly Family[] = ['ipv4', 'ipv6'];
export type RecordType = 'A' | 'AAAA';
export const recordType = (f: Family): RecordType => (f === 'ipv4' ? 'A' : 'AAAA');

/** The families a service keeps records for (its ipv4/ipv6 options). */
export const familiesOf = (s: { ipv4: boolean; ipv6: boolean }): Family[] => FAMILIES.filter((f) => (f === 'ipv4' ? s.ipv4 : s.ipv6));

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

/** Where every part says what happened; output/log.ts is the sink (pino). */
export interface Log {
  debug(msg: string, fields?: Record<string, unknown>): void;
  info(msg: string, fields?: Record<string, unknown>): void;
  warn(msg: string, fields?: Record<string, unknown>): void;
  error(msg: string, fields?: Record<string, unknown>): void;
  setLevel(level: LogLevel): void;
}

// ---------------------------------------------------------------------------
// Configuration (validated, with defaults applied; see src/config/schema.ts)

export interface GlobalConfig {
  log_level: LogLevel;
  log_format: 'text' | 'json';
  state_dir: string;
}

/** A protocol name of providers/index.ts PROVIDERS (the schema accepts no other). */
export type Protocol = string;
export type AuthMode = 'basic' | 'query' | 'none';
export type IpSource = 'auto' | 'interface' | 'checkip';

export interface ServiceConfig {
  /** UCI section name, or `@service[N]` for an anonymous section. */
  name: string;
  enabled: boolean;
  protocol: Protocol;
  update_url: string;
  username: string;
  password: string;
  auth: AuthMode;
  host: string[];
  interface: string;
  device: string;
  ipv4: boolean;
  ipv6: boolean;
  ip_source: IpSource;
  checkip_url: string;
  checkip4_url: string;
  checkip6_url: string;
  /** seconds */
  check_interval: number;
  /** seconds */
  force_interval: number;
  /** seconds per HTTP request */
  timeout: number;
  /** dyndns2 preset name (README lists them); fills update_url and checkip defaults. */
  service_name: string;
  /** custom protocol: JavaScript regular expression a 2xx body must match ('' = any 2xx). */
  success_pattern: string;
  /** Look the record up in DNS when the state knows nothing of it (after a reboot). */
  verify_dns: boolean;
  /** '' (system resolvers), `IP`, `IP:port` or `[IPv6]:port`. */
  dns_server: string;
  /** PEM file of CA certificates to trust for HTTPS instead of the system's ('' = system). */
  cacert: string;
}

export interface Config {
  /** The file the config was read from, as given (for messages). */
  file: string;
  global: GlobalConfig;
  services: ServiceConfig[];
  warnings: string[];
}

// ---------------------------------------------------------------------------
// Detection

export type AddressScope = 'global' | 'site' | 'link' | 'host' | 'nowhere';

/** The IFA_F_* flags of an address that matter for publishing. */
export interface AddressFlags {
  temporary: boolean;
  deprecated: boolean;
  tentative: boolean;
  dadfailed: boolean;
  permanent: boolean;
  /** IPv4 secondary (not the device's primary address). */
  secondary: boolean;
}

/** One address on a device, as the kernel (or the fallback) reports it. */
export interface InterfaceAddress extends AddressFlags {
  family: Family;
  address: string;
  prefixlen: number;
  scope: AddressScope;
  /** seconds; Infinity for forever */
  preferredLifetime: number;
  validLifetime: number;
}

/** What a watcher knows of one device. `present: false` when it does not exist (now). */
export interface DeviceSnapshot {
  name: string;
  present: boolean;
  up: boolean;
  addresses: InterfaceAddress[];
}

/** Where a publishable address came from. */
export type AddressSource = 'interface' | 'checkip';

/** What detection says a service's address of one family is (or why there is none). */
export interface Detected {
  address: string | null;
  source: AddressSource | null;
  /** Where it came from, for the log: `interface eth0`, `checkip`, or why there is none. */
  detail: string;
}

/** What DNS holds for a record (verify_dns): exactly the address, something else, or no answer. */
export type DnsCheck = { kind: 'match' } | { kind: 'differs'; found: string[] } | { kind: 'failed'; message: string };

// ---------------------------------------------------------------------------
// Records

/** One record: a host of a service, for one family. */
export interface RecordKey {
  service: string;
  host: string;
  family: Family;
}

// ---------------------------------------------------------------------------
// Providers

/** How far a rejection reaches (DESIGN.md "Providers: answers and their reach"). */
export type Reach = 'service' | 'host' | 'record';

/** One outcome type for every provider answer: the engine never looks at HTTP codes. */
export type Outcome =
  | { kind: 'ok'; message: string }
  | { kind: 'rejected'; reach: Reach; message: string }
  | { kind: 'trouble'; message: string; /** seconds; no retry sooner (dyndns2 911) */ floor?: number; reach?: 'service' | 'record' };

export interface UpdateRequest {
  service: ServiceConfig;
  host: string;
  family: Family;
  address: string;
  signal?: AbortSignal;
}

