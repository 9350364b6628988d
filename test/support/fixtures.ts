// Small builders for test inputs.
import type { Config, DeviceSnapshot, Family, InterfaceAddress, ServiceConfig } from '../../src/types';

/** A recognisable token: suites assert it never shows up in any output. */
export const TOKEN = 'SeCrEt-T0ken-9f8e7d6c';

export function service(over: Partial<ServiceConfig> = {}): ServiceConfig {
  return {
    name: 'home',
    enabled: true,
    protocol: 'zerigo',
    update_url: 'http://127.0.0.1:9/dynamic',
    username: 'login@example.com',
    password: TOKEN,
    auth: 'basic',
    host: ['example.zerigo.com'],
    interface: '',
    device: 'v0',
    ipv4: true,
    ipv6: true,
    ip_source: 'auto',
    checkip_url: 'http://127.0.0.1:9/checkip',
    checkip4_url: 'http://127.0.0.1:9/checkip4',
    checkip6_url: 'http://[::1]:9/checkip6',
    check_interval: 300,
    force_interval: 86400,
    timeout: 10,
    service_name: '',
    success_pattern: '',
    verify_dns: false,
    dns_server: '',
    cacert: '',
    zone: '',
    ttl: 300,
    proxied: false,
    tsig_algorithm: 'hmac-sha256',
    ...over,
  };
}

export function config(services: ServiceConfig[], stateDir = '/nonexistent'): Config {
  return {
    file: 'test.conf',
    global: { log_level: 'debug', log_format: 'text', state_dir: stateDir },
    services,
    warnings: [],
  };
}

/** A UCI file for a service talking to a test provider at `url` (e.g. http://127.0.0.1:PORT). */
export function uciFile(opts: {
  url: string;
  url6?: string;
  stateDir: string;
  device?: string;
  hosts?: string[];
  ipv4?: boolean;
  ipv6?: boolean;
  ipSource?: string;
  token?: string;
  auth?: string;
  extra?: string;
  logLevel?: string;
}): string {
  const hosts = (opts.hosts ?? ['example.zerigo.com']).map((h) => `\tlist host '${h}'`).join('\n');
  const url6 = opts.url6 ?? opts.url;
  return `config updyn 'global'
\toption log_level '${opts.logLevel ?? 'info'}'
\toption state_dir '${opts.stateDir}'

config service 'home'
\toption enabled '1'
\toption update_url '${opts.url}/dynamic'
\toption username 'login@example.com'
\toption password '${opts.token ?? TOKEN}'
\toption auth '${opts.auth ?? 'basic'}'
${hosts}
\toption device '${opts.device ?? 'v0'}'
\toption ipv4 '${opts.ipv4 === false ? 0 : 1}'
\toption ipv6 '${opts.ipv6 === false ? 0 : 1}'
\toption ip_source '${opts.ipSource ?? 'auto'}'
\toption checkip_url '${opts.url}/checkip'
\toption checkip4_url '${opts.url}/checkip4'
\toption checkip6_url '${url6}/checkip6'
\toption timeout '5'
${opts.extra ?? ''}
`;
}

/** A plain global address as the kernel reports it (/24 or /64 unless `over` says otherwise). */
export function interfaceAddress(address: string, over: Partial<InterfaceAddress> = {}): InterfaceAddress {
  const family: Family = address.includes(':') ? 'ipv6' : 'ipv4';
  return {
    family,
    address,
    prefixlen: family === 'ipv4' ? 24 : 64,
    scope: 'global',
    temporary: false,
    deprecated: false,
    tentative: false,
    dadfailed: false,
    permanent: true,
    secondary: false,
    preferredLifetime: Infinity,
    validLifetime: Infinity,
    ...over,
  };
}

/** A present, up device holding `addresses`. */
export function deviceWith(name: string, ...addresses: InterfaceAddress[]): DeviceSnapshot {
  return { name, present: true, up: true, addresses };
}
