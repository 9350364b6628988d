// dyndns2 providers a user can name with `option service_name` instead of typing
// their URLs. Only providers that speak the dyndns2 update protocol belong here;
// anything else is `protocol custom`. A checkip URL is listed only where the
// provider runs one (they answer with the bare address, which checkip.ts reads);
// a family without one here gets no checkip URL, never another provider's.

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
