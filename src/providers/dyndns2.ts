// The dyndns2 protocol (members.dyndns.org/nic/update and the many providers
// that copied it): GET update_url?hostname=<fqdn>&myip=<address>, one host and
// one family per request, so that each record has its own answer. The answer is
// a word in the body, read whatever the HTTP status (servers answer `badauth`
// with 200 as often as with 401); the status only speaks when there is no word.
//
// Credentials: Basic auth (the protocol's own way, and it keeps the token out of
// URLs). `auth 'query'` sends `username=`/`password=` parameters instead, which
// several dyndns2 servers (dynu, deSEC, dnsexit...) accept for clients that
// cannot send headers; `auth 'none'` sends neither.
import type { Outcome, UpdateRequest } from '../types';
import type { HttpResponse } from '../lib/http';
import type { BuiltRequest, Preset, HttpProvider } from './provider';
import { withCredentials } from './provider';
import { quotedAnswer } from './answer';
import { canonicalAddress } from '../lib/ip';
import { firstLine } from '../lib/text';

/** The 30 minutes dyndns2 asks clients to wait after a `911`, for the whole service. */
export const FLOOR_911 = 1800;

type Meaning =
  | { kind: 'ok' }
  | { kind: 'rejected'; reach: 'service' | 'host'; why: string }
  | { kind: 'trouble'; why: string; floor?: number };

/** The answer words of the dyndns2 specification, and what each means for updyn. */
const WORDS: Readonly<Record<string, Meaning>> = {
  good: { kind: 'ok' },
  nochg: { kind: 'ok' },
  badauth: { kind: 'rejected', reach: 'service', why: 'bad login or token' },
  '!donator': { kind: 'rejected', reach: 'service', why: 'this feature needs a paid account' },
  abuse: { kind: 'rejected', reach: 'service', why: 'the account is blocked for abuse' },
  badagent: { kind: 'rejected', reach: 'service', why: 'the provider refuses this client' },
  nohost: { kind: 'rejected', reach: 'host', why: 'the host is not in this account' },
  notfqdn: { kind: 'rejected', reach: 'host', why: 'the host is not a fully qualified domain name' },
  numhost: { kind: 'rejected', reach: 'host', why: 'too many hosts in one request' },
  dnserr: { kind: 'trouble', why: 'DNS error at the provider' },
  '911': { kind: 'trouble', why: 'problem or maintenance at the provider', floor: FLOOR_911 },
};

/**
 * Providers that speak dyndns2, by `option service_name`. A checkip URL is
 * listed only where the provider runs one (they answer with the bare address,
 * which detect/checkip.ts reads); a family without one gets no checkip URL,
 * never another provider's (config/schema.ts readCheckip).
 */
export const DYNDNS2_PRESETS: Readonly<Record<string, Preset>> = {
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

export const dyndns2: HttpProvider = {
  protocol: 'dyndns2',
  title: 'dyndns2 (DynDNS, No-IP, Dynu, deSEC and others)',
  defaults: { update_url: '', auth: 'basic' },
  presets: DYNDNS2_PRESETS,

  build(req: UpdateRequest): BuiltRequest {
    return withCredentials(req, { hostname: req.host, myip: req.address }, { user: 'username', password: 'password' });
  },

  classify(res: HttpResponse, req: UpdateRequest): Outcome {
    // one host per request, so its answer is the first line that says anything
    const [first = '', ...echoed] = firstLine(res.body).split(/[\s,]+/);
    const name = first.toLowerCase();
    const meaning = Object.prototype.hasOwnProperty.call(WORDS, name) ? WORDS[name] : undefined;
    if (meaning === undefined) return withoutWord(res, req);
    switch (meaning.kind) {
      case 'ok':
        // A success word on an error status contradicts itself: not understood, so not registered.
        if (res.status < 200 || res.status > 299) return unexpected(res, req);
        return success(name, echoed, req);
      case 'rejected':
        return { kind: 'rejected', reach: meaning.reach, message: `dyndns2 ${name}: ${meaning.why}` };
      case 'trouble':
        return meaning.floor
          ? { kind: 'trouble', message: `dyndns2 ${name}: ${meaning.why}`, floor: meaning.floor, reach: 'service' }
          : { kind: 'trouble', message: `dyndns2 ${name}: ${meaning.why}` };
    }
  },
};

/**
 * `good`/`nochg` may echo the address(es) the provider set. When none of them is
 * the one sent (a server that ignores `myip`, or one that cannot take this family
 * and used the connection's source), our record holds the wrong address: sending
 * it again would do the same, so that record stops until its address changes.
 */
function success(word: string, echoed: string[], req: UpdateRequest): Outcome {
  const sent = canonicalAddress(req.family, req.address) ?? req.address;
  const set = echoed.map((e) => canonicalAddress('ipv4', e) ?? canonicalAddress('ipv6', e)).filter((a) => a !== null);
  if (set.length === 0) return { kind: 'ok', message: word };
  if (set.includes(sent)) return { kind: 'ok', message: `${word} ${sent}` };
  return {
    kind: 'rejected',
    reach: 'record',
    message: `dyndns2 ${word} ${set[0]}: the provider set another address than ${sent} (does it take myip for this family?)`,
  };
}

/** No word we know: the HTTP status decides, and an answer we cannot read is never a success. */
function withoutWord(res: HttpResponse, req: UpdateRequest): Outcome {
  const s = res.status;
  if (s === 401) return { kind: 'rejected', reach: 'service', message: 'HTTP 401: bad login or token' };
  if (s === 429 || s >= 500) return { kind: 'trouble', message: `HTTP ${s}${detail(res, req)}` };
  if (s >= 400 && s <= 499) return { kind: 'rejected', reach: 'record', message: `HTTP ${s}${detail(res, req)}` };
  return unexpected(res, req);
}

function unexpected(res: HttpResponse, req: UpdateRequest): Outcome {
  const body = firstLine(res.body) === '' ? 'an empty answer' : `unexpected answer ${quotedAnswer(res.body, req.service, 40)}`;
  return { kind: 'trouble', message: `HTTP ${res.status}: dyndns2 ${body}` };
}

function detail(res: HttpResponse, req: UpdateRequest): string {
  return firstLine(res.body) === '' ? '' : `: ${quotedAnswer(res.body, req.service, 40)}`;
}
