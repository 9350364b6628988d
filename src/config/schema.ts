// UCI sections -> the validated Config every other module reads. Every option has
// a default that means the same as writing it out; every problem is reported (not
// only the first) with the line it starts on; no message ever shows a password or
// a URL (a URL may carry a token).
import type { AuthMode, Config, GlobalConfig, IpSource, LogLevel, Result, ServiceConfig } from '../types';
import { err, ok } from '../types';
import { type OptionSpec, PROTOCOLS, PROVIDERS, type Preset, type ProviderSpec, presetNames, providerFor } from '../providers';
import { type ConfigError, Diagnostics, SectionReader } from './reader';
import { type UciPackage, parseUci, sectionAddress } from './uci';
import { checkDeviceName } from '../lib/netdev';
import { checkHostname } from '../lib/hostname';
import { quoteValue } from '../lib/text';
import {
  checkAbsolutePath,
  checkHttpUrl,
  checkInterfaceName,
  parseDnsServer,
} from './values';

export { type ConfigError, formatConfigError } from './reader';

export const LOG_LEVELS: readonly LogLevel[] = ['debug', 'info', 'warn', 'error'];
export const LOG_FORMATS: readonly GlobalConfig['log_format'][] = ['text', 'json'];
export const AUTH_MODES: readonly AuthMode[] = ['basic', 'query', 'none'];
export const IP_SOURCES: readonly IpSource[] = ['auto', 'interface', 'checkip'];

export const GLOBAL_DEFAULTS: Readonly<GlobalConfig> = { log_level: 'info', log_format: 'text', state_dir: '/var/run/updyn' };

export const ZERIGO_CHECKIP = {
  checkip_url: 'http://checkip.zerigo.com/',
  checkip4_url: 'http://checkip4.zerigo.com/',
  checkip6_url: 'http://checkip6.zerigo.com/',
} as const;

export const LIMITS = {
  check_interval: { def: 300, min: 60, max: 86400 },
  // the refresh must come well before providers expire an idle name (about 30 days)
  force_interval: { def: 86400, min: 3600, max: 28 * 86400 },
  timeout: { def: 10, min: 1, max: 60 },
} as const;

/**
 * The protocols' own options, each name once: two protocols may declare the
 * same one (zone, ttl) with their own range. A service whose protocol does not
 * read an option lists the first declaration's default.
 */
const PROTOCOL_OPTIONS: readonly OptionSpec[] = PROVIDERS.flatMap((p) => p.options ?? []).filter(
  (o, i, all) => all.findIndex((x) => x.name === o.name) === i,
);

/** Every service option, in the order check-config lists them. */
export const SERVICE_OPTIONS: readonly (keyof ServiceConfig)[] = [
  'name', 'enabled', 'protocol', 'update_url', 'username', 'password', 'auth', 'host', 'interface', 'device',
  'ipv4', 'ipv6', 'ip_source', 'checkip_url', 'checkip4_url', 'checkip6_url', 'check_interval', 'force_interval',
  'timeout', 'service_name', ...PROTOCOL_OPTIONS.map((o) => o.name), 'verify_dns', 'dns_server', 'cacert',
];

export function parseConfig(file: string, text: string): Result<Config, ConfigError[]> {
  const parsed = parseUci(text);
  if (!parsed.ok) return err([{ file, line: parsed.error.line, message: parsed.error.message }]);
  return buildConfig(file, parsed.value);
}

export function buildConfig(file: string, pkg: UciPackage): Result<Config, ConfigError[]> {
  const diag = new Diagnostics(file);
  let global: GlobalConfig = { ...GLOBAL_DEFAULTS };
  const services: ServiceConfig[] = [];
  pkg.sections.forEach((section, i) => {
    const label = sectionAddress(pkg, i);
    const r = new SectionReader(diag, section, label);
    if (section.type === 'service') services.push(readService(r, diag));
    else if (section.type === 'updyn' && section.name === 'global') global = readGlobal(r);
    else if (section.type === 'updyn') {
      diag.warn(section.line, `section '${label}' of type 'updyn' is ignored: only the one named 'global' is read`);
    } else diag.warn(section.line, `unknown section type ${quoteValue(section.type)} is ignored`);
  });
  if (services.length === 0) diag.warn(0, 'no service section: updyn has nothing to update');
  else if (!services.some((s) => s.enabled)) diag.warn(0, 'no service is enabled: updyn has nothing to update');
  warnSharedHosts(pkg, services, diag);
  if (diag.errors.length > 0) return err(diag.sortedErrors());
  return ok({ file, global, services, warnings: diag.formattedWarnings() });
}

function readGlobal(r: SectionReader): GlobalConfig {
  const g: GlobalConfig = {
    log_level: r.oneOf('log_level', LOG_LEVELS, GLOBAL_DEFAULTS.log_level),
    log_format: r.oneOf('log_format', LOG_FORMATS, GLOBAL_DEFAULTS.log_format),
    state_dir: r.string('state_dir', GLOBAL_DEFAULTS.state_dir, checkAbsolutePath),
  };
  r.warnUnread();
  return g;
}

function readService(r: SectionReader, diag: Diagnostics): ServiceConfig {
  // off unless switched on: a half-written section must not start sending
  const enabled = r.bool('enabled', false);
  const protocol = r.oneOf('protocol', PROTOCOLS, 'zerigo');
  const provider = providerFor(protocol) as ProviderSpec;
  const service_name = r.string('service_name', '');
  let preset: Preset | undefined;
  if (service_name !== '' && !provider.presets) {
    r.warn('service_name', `is only used with protocol ${protocolsWith((p) => p.presets !== undefined)}, so it is ignored`);
  } else if (service_name !== '') {
    preset = Object.hasOwn(provider.presets!, service_name) ? provider.presets![service_name] : undefined;
    if (preset === undefined) r.fail('service_name', `must name a known ${protocol} provider (${presetNames(protocol).join(', ')})`, service_name);
  }
  const checkUrl = (s: string) => checkHttpUrl(provider.checkableUrl ? provider.checkableUrl(s) : s);
  const defaultUpdateUrl = preset?.update_url ?? provider.defaults.update_url ?? '';
  const s = {
    name: r.label,
    enabled,
    protocol,
    update_url: r.string('update_url', defaultUpdateUrl, checkUrl, { echo: false }),
    username: r.string('username', ''),
    password: r.string('password', '', undefined, { echo: false }),
    auth: r.oneOf('auth', AUTH_MODES, provider.defaults.auth),
    host: readHosts(r, diag),
    interface: r.string('interface', '', checkInterfaceName),
    device: r.string('device', '', checkDeviceName),
    ipv4: r.bool('ipv4', true),
    ipv6: r.bool('ipv6', true),
    ip_source: r.oneOf('ip_source', IP_SOURCES, 'auto'),
    ...readCheckip(r, preset),
    check_interval: r.int('check_interval', LIMITS.check_interval.def, LIMITS.check_interval.min, LIMITS.check_interval.max),
    force_interval: r.int('force_interval', LIMITS.force_interval.def, LIMITS.force_interval.min, LIMITS.force_interval.max),
    timeout: r.int('timeout', LIMITS.timeout.def, LIMITS.timeout.min, LIMITS.timeout.max),
    service_name,
    ...readProtocolOptions(r, provider, preset),
    verify_dns: r.bool('verify_dns', false),
    dns_server: r.string('dns_server', '', parseDnsServer),
    cacert: r.string('cacert', '', checkAbsolutePath),
    // typed in ServiceConfig; which exist, with their defaults, each provider declares
  } as ServiceConfig;
  for (const p of provider.validate?.(s) ?? []) r.fail(p.option, p.why, p.show ? String(s[p.option]) : undefined);
  if (r.has('dns_server') && !s.verify_dns && !provider.uses?.includes('dns_server')) {
    r.warn('dns_server', "is only used with verify_dns '1', so it is ignored");
  }
  if (s.enabled && s.auth !== 'none' && s.password !== '' && s.update_url.startsWith('http:')) {
    r.warn('update_url', 'uses plain http, so the token travels unencrypted; use https if the provider offers it');
  }
  r.warnUnread();
  if (enabled) checkComplete(s, provider, r, diag);
  return s;
}

/**
 * Every protocol's own options, so that check-config shows them all: the
 * service's protocol reads its own (a preset may set their defaults); the
 * others take their default, and a value set for them is a warning.
 */
function readProtocolOptions(r: SectionReader, provider: ProviderSpec, preset: Preset | undefined): Partial<ServiceConfig> {
  const out: Record<string, string | number | boolean> = {};
  for (const listed of PROTOCOL_OPTIONS) {
    const o = provider.options?.find((x) => x.name === listed.name);
    if (o === undefined) {
      out[listed.name] = listed.default;
      if (r.single(listed.name) !== undefined) {
        const users = protocolsWith((p) => p.options?.some((x) => x.name === listed.name) === true);
        r.warn(listed.name, `is only used with protocol ${users}, so it is ignored`);
      }
      continue;
    }
    const fromPreset = preset?.[o.name as keyof Preset];
    if (o.kind === 'string') {
      // a check may also normalize (a zone's trailing dot); a secret is never echoed
      out[o.name] = o.check && !o.secret ? r.checked(o.name, fromPreset ?? o.default, (v) => mapOk(o.check!(v), v)) : r.string(o.name, fromPreset ?? o.default, o.check, o.secret ? { echo: false } : {});
    }
    else if (o.kind === 'integer') out[o.name] = o.check ? r.checked(o.name, o.default, o.check) : r.int(o.name, o.default, o.min, o.max);
    else if (o.kind === 'boolean') out[o.name] = r.bool(o.name, o.default);
    else out[o.name] = r.oneOf(o.name, o.values, o.default);
  }
  return out as Partial<ServiceConfig>;
}

/** A check's value when it is the text itself, normalized; else the text as written. */
function mapOk(r: Result<unknown>, text: string): Result<string> {
  return r.ok ? ok(typeof r.value === 'string' ? r.value : text) : r;
}

/** `'custom'`, or `'a' or 'b'`: the protocols for which an option means something. */
function protocolsWith(test: (p: ProviderSpec) => boolean): string {
  return PROVIDERS.filter(test)
    .map((p) => `'${p.protocol}'`)
    .join(' or ');
}

/** What an enabled service cannot do without (a disabled one may be half written). */
function checkComplete(s: ServiceConfig, provider: ProviderSpec, r: SectionReader, diag: Diagnostics): void {
  const line = r.section.line;
  const missing = (what: string) => diag.error(line, `section '${s.name}': an enabled service needs ${what}`);
  if (s.update_url === '' && !r.has('update_url') && provider.defaults.update_url !== null) {
    missing(provider.presets ? `service_name (one of ${presetNames(s.protocol).join(', ')}) or update_url` : 'update_url');
  }
  const needs = (credential: 'username' | 'password') => provider.needs?.(s, credential) ?? true;
  if (s.username === '' && !r.has('username') && needs('username')) missing('a username (option username)');
  if (s.password === '' && !r.has('password') && needs('password')) missing('a password (option password)');
  for (const what of provider.missing?.(s, (name) => r.has(name)) ?? []) missing(what);
  if (s.host.length === 0 && !r.has('host')) missing("at least one host (list host 'name.example.com')");
  if (s.device === '' && s.interface === '' && !r.has('device') && !r.has('interface')) {
    missing("a device or an interface (option interface 'wan')");
  }
  if (!s.ipv4 && !s.ipv6) diag.error(r.lineOf(r.has('ipv6') ? 'ipv6' : 'ipv4'), `section '${s.name}': ipv4 and ipv6 are both off, so there is nothing to update`);
}

/** `host` as option or list; a name per item, or several separated by spaces. */
function readHosts(r: SectionReader, diag: Diagnostics): string[] {
  const hosts: string[] = [];
  const seen = new Set<string>();
  for (const item of r.items('host')) {
    const names = item.value.split(/[ \t\r\n]+/).filter((h) => h !== '');
    if (names.length === 0) r.fail('host', 'is not a host name', item.value, item.line);
    for (const h of names) {
      const c = checkHostname(h);
      if (!c.ok) r.fail('host', c.error, h, item.line);
      else if (seen.has(h.toLowerCase())) diag.warn(item.line, `option 'host' in section '${r.label}': ${quoteValue(h)} is listed twice; the repeat is ignored`);
      else {
        seen.add(h.toLowerCase());
        hosts.push(h);
      }
    }
  }
  return hosts;
}

/**
 * The most specific setting wins: the user's per-family URL, the user's dual-stack
 * URL, then the preset's, or Zerigo's when there is no preset. A family URL left
 * empty means "use checkip_url", so choosing a dual-stack URL (user or preset)
 * clears the per-family defaults that would otherwise silently override it. A
 * preset names only its own provider's servers: a family it does not serve has
 * no checkip URL (never a third party's, which would learn the user's address).
 */
function readCheckip(r: SectionReader, preset: Preset | undefined): Pick<ServiceConfig, 'checkip_url' | 'checkip4_url' | 'checkip6_url'> {
  const url = (name: keyof typeof ZERIGO_CHECKIP, def: string) => r.string(name, def, checkHttpUrl, { echo: false });
  const defaults: Partial<Record<keyof typeof ZERIGO_CHECKIP, string>> = preset ?? ZERIGO_CHECKIP;
  const userDual = r.has('checkip_url');
  const family = (name: 'checkip4_url' | 'checkip6_url') => {
    if (userDual) return url(name, '');
    const own = defaults[name];
    if (own !== undefined) return url(name, own);
    return url(name, '');
  };
  return {
    checkip_url: url('checkip_url', defaults.checkip_url ?? ''),
    checkip4_url: family('checkip4_url'),
    checkip6_url: family('checkip6_url'),
  };
}

/** Two enabled services publishing one name for one family overwrite each other. */
function warnSharedHosts(pkg: UciPackage, services: ServiceConfig[], diag: Diagnostics): void {
  const owner = new Map<string, string>();
  for (const s of services) {
    if (!s.enabled) continue;
    const section = pkg.sections.find((x, i) => x.type === 'service' && sectionAddress(pkg, i) === s.name);
    for (const h of s.host) {
      for (const fam of ['ipv4', 'ipv6'] as const) {
        if (!s[fam]) continue;
        const key = `${h.toLowerCase()} ${fam}`;
        const other = owner.get(key);
        if (other === undefined) owner.set(key, s.name);
        else {
          const line = section?.options.get('host')?.line ?? section?.line ?? 0;
          diag.warn(line, `option 'host' in section '${s.name}': ${quoteValue(h)} (${fam}) is also updated by section '${other}'; the two will overwrite each other`);
        }
      }
    }
  }
}
