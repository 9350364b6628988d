// The value types every module shares. Plain data only: no behaviour lives here.

export type Family = 'ipv4' | 'ipv6';
export const FAMILIES: readonly Family[] = ['ipv4', 'ipv6'];
export type RecordType = 'A' | 'AAAA';
export const recordType = (f: Family): RecordType => (f === 'ipv4' ? 'A' : 'AAAA');

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

// ---------------------------------------------------------------------------
// Configuration (validated, with defaults applied; see src/config/schema.ts)

export interface GlobalConfig {
  log_level: LogLevel;
  log_format: 'text' | 'json';
  state_dir: string;
}

export type Protocol = 'zerigo' | 'dyndns2' | 'custom' | 'cloudflare' | 'nsupdate';
export type TsigAlgorithm = 'hmac-sha256' | 'hmac-sha512';
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
  /** cloudflare, nsupdate: the zone holding the hosts ('' = cloudflare finds it). */
  zone: string;
  /** cloudflare (1 = automatic), nsupdate: TTL of the records updyn writes, in seconds. */
  ttl: number;
  /** cloudflare: whether a record updyn creates goes through Cloudflare's proxy. */
  proxied: boolean;
  /** nsupdate: the TSIG key's algorithm. */
  tsig_algorithm: TsigAlgorithm;
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

/** One address on a device, as the kernel (or the fallback) reports it. */
export interface InterfaceAddress {
  family: Family;
  address: string;
  prefixlen: number;
  scope: AddressScope;
  /** IFA_F_* flags that matter for publishing. */
  temporary: boolean;
  deprecated: boolean;
  tentative: boolean;
  dadfailed: boolean;
  permanent: boolean;
  /** IPv4 secondary (not the device's primary address). */
  secondary: boolean;
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

// ---------------------------------------------------------------------------
// Errors as values at module edges

export type Result<T, E = string> = { ok: true; value: T } | { ok: false; error: E };
export const ok = <T>(value: T): { ok: true; value: T } => ({ ok: true, value });
export const err = <E>(error: E): { ok: false; error: E } => ({ ok: false, error });
