// Providers a user can name with `option service_name` instead of typing their
// URLs: dyndns2 ones for `protocol dyndns2`, the others for `protocol custom`. A checkip URL is listed only where the
// provider answers with the bare address (the checkip parser reads nothing else).

export interface Dyndns2Preset {
  update_url: string;
  /** dual-stack checkip, when the provider runs one */
  checkip_url?: string;
  checkip4_url?: string;
  checkip6_url?: string;
}

export const DYNDNS2_PRESETS: Readonly<Record<string, Dyndns2Preset>> = {
  'dyn.com': { update_url: 'https://members.dyndns.org/nic/update' },
  'no-ip.com': { update_url: 'https://dynupdate.no-ip.com/nic/update', checkip4_url: 'http://ip1.dynupdate.no-ip.com/' },
  'dynu.com': { update_url: 'https://api.dynu.com/nic/update' },
  'dnsomatic.com': { update_url: 'https://updates.dnsomatic.com/nic/update', checkip4_url: 'http://myip.dnsomatic.com/' },
  'he.net': { update_url: 'https://dyn.dns.he.net/nic/update' },
  'desec.io': {
    update_url: 'https://update.dedyn.io/',
    checkip4_url: 'https://checkipv4.dedyn.io/',
    checkip6_url: 'https://checkipv6.dedyn.io/',
  },
};

export const presetNames = (): string[] => Object.keys(DYNDNS2_PRESETS).sort();

export function dyndns2Preset(name: string): Dyndns2Preset | undefined {
  return Object.prototype.hasOwnProperty.call(DYNDNS2_PRESETS, name) ? DYNDNS2_PRESETS[name] : undefined;
}

/**
 * Providers with an update API of their own, reached through `protocol custom`:
 * the URL template and the words of success. None of them runs a checkip that
 * answers with the bare address, so their checkip is none (set one, or use
 * ip_source 'interface'): never a third party's server by default.
 */
export interface CustomPreset {
  update_url: string;
  success_pattern: string;
  checkip_url: '';
  checkip4_url: '';
  checkip6_url: '';
}

const NO_CHECKIP = { checkip_url: '', checkip4_url: '', checkip6_url: '' } as const;

export const CUSTOM_PRESETS: Readonly<Record<string, CustomPreset>> = {
  // https://www.duckdns.org/spec.jsp: `ip` takes either family; the answer is OK or KO
  'duckdns.org': { update_url: 'https://www.duckdns.org/update?domains=[DOMAIN]&token=[PASSWORD]&ip=[IP]', success_pattern: '^OK', ...NO_CHECKIP },
  // https://dynv6.com/docs/apis: an empty ipv4/ipv6 keeps that family unchanged, so each record's
  // request fills only its own; the answer is "addresses updated" or "addresses unchanged"
  'dynv6.com': {
    update_url: 'https://dynv6.com/api/update?zone=[DOMAIN]&token=[PASSWORD]&ipv4=[IPV4]&ipv6=[IPV6]',
    success_pattern: '^addresses (updated|unchanged)',
    ...NO_CHECKIP,
  },
  // FreeDNS "dynamic update v2" (https://freedns.afraid.org/dynamic/v2/): the token names one record
  // (so one service per family); answers "Updated ..." or, unchanged, "No IP change detected ..." /
  // "ERROR: Address ... has not changed."
  'freedns.afraid.org': {
    update_url: 'https://sync.afraid.org/u/[PASSWORD]/?address=[IP]',
    success_pattern: '^Updated|^No IP change detected|has not changed',
    ...NO_CHECKIP,
  },
};

export const customPresetNames = (): string[] => Object.keys(CUSTOM_PRESETS).sort();

export function customPreset(name: string): CustomPreset | undefined {
  return Object.prototype.hasOwnProperty.call(CUSTOM_PRESETS, name) ? CUSTOM_PRESETS[name] : undefined;
}
