// The custom protocol: any provider with an HTTP GET update URL. The user writes
// the URL with [USERNAME] [PASSWORD] [DOMAIN] [IP] ([IPV4] [IPV6]) where the values go; each is
// substituted percent-encoded (encodeURIComponent), so a token holding `&`, `+`,
// `/`, `=` or spaces reaches the provider intact. Success is a 2xx whose body
// matches `success_pattern` (unanchored; '' takes any 2xx), because many small
// providers answer errors with HTTP 200 and only their words tell. The match
// runs in a worker with a deadline, on the first 4 KiB (pattern.ts).
//
// Credentials go where the URL's placeholders put them. `auth 'basic'` adds the
// Authorization header as well; `auth 'query'` adds nothing (the placeholders
// are the query form), like `none`.
//
// Messages never hold the URL: with [PASSWORD] in it, it holds the token.
import type { Outcome, Result, UpdateRequest } from '../types';
import type { HttpResponse } from '../lib/http';
import type { BuiltRequest, HttpProvider, Preset } from './provider';
import { basicAuth } from './provider';
import { type Credentials, quotedAnswer } from './answer';
import { MATCH_DEADLINE_MS, MATCHED_CHARS, compilePattern, matchPattern } from './pattern';

/** Where the values go in update_url, each with a stand-in valid wherever it may appear (for URL checks). */
export const URL_PLACEHOLDERS: Readonly<Record<string, string>> = {
  USERNAME: 'user',
  PASSWORD: 'pass',
  DOMAIN: 'host.example.com',
  IP: '192.0.2.1',
  IPV4: '192.0.2.1',
  IPV6: '2001:db8::1',
};

const PLACEHOLDER = /\[(USERNAME|PASSWORD|DOMAIN|IP|IPV4|IPV6)\]/g;

/**
 * Providers with an update API of their own, reached through `protocol custom`:
 * the URL template and the words of success. None runs a checkip that answers
 * with the bare address, so their checkip is none (set one, or use ip_source
 * 'interface'): never a third party's server by default.
 */
const NO_CHECKIP = { checkip_url: '', checkip4_url: '', checkip6_url: '' } as const;

export const CUSTOM_PRESETS: Readonly<Record<string, Preset>> = {
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

/** Whether a piece of a URL is a placeholder, i.e. a template and not a secret. */
export const hasPlaceholder = (s: string): boolean => new RegExp(PLACEHOLDER.source).test(s);

export const custom: HttpProvider = {
  protocol: 'custom',
  title: 'Custom URL (any provider with an HTTP GET update URL)',
  defaults: { update_url: '', auth: 'none' },
  presets: CUSTOM_PRESETS,
  options: [
    {
      name: 'success_pattern',
      kind: 'string',
      default: '',
      check: (s) => successPattern(s),
      help: 'A JavaScript regular expression (unanchored, case-sensitive) the body of a 2xx answer must match; empty: any 2xx is success',
    },
  ],
  // credentials go only where the URL's placeholders or the auth mode put them
  needs: (s, credential) => s.auth !== 'none' || s.update_url.includes(credential === 'username' ? '[USERNAME]' : '[PASSWORD]'),
  checkableUrl: (url) => url.replace(PLACEHOLDER, (_, name: string) => URL_PLACEHOLDERS[name] ?? ''),

  build(req: UpdateRequest): BuiltRequest {
    const { service } = req;
    const values: Record<string, string> = {
      USERNAME: service.username,
      PASSWORD: service.password,
      DOMAIN: req.host,
      IP: req.address,
      // for APIs with a parameter per family (dynv6): this record's family filled, the other empty
      IPV4: req.family === 'ipv4' ? req.address : '',
      IPV6: req.family === 'ipv6' ? req.address : '',
    };
    // One pass: a value is never searched for placeholders again, whatever it holds.
    const url = service.update_url.replace(PLACEHOLDER, (_, name: string) => encodeURIComponent(values[name] ?? ''));
    const headers: Record<string, string> = {};
    if (service.auth === 'basic') headers.Authorization = basicAuth(service.username, service.password);
    return { url, headers };
  },

  classify(res: HttpResponse, req: UpdateRequest): Outcome | Promise<Outcome> {
    const s = res.status;
    if (s >= 200 && s <= 299) return answered(res, req);
    // Credentials belong to the service, so a refusal of them stops all its records.
    if (s === 401 || s === 403) return { kind: 'rejected', reach: 'service', message: `HTTP ${s}${detail(res.body, req.service)}` };
    if (s === 429 || s >= 500) return { kind: 'trouble', message: `HTTP ${s}${detail(res.body, req.service)}` };
    if (s >= 400 && s <= 499) return { kind: 'rejected', reach: 'record', message: `HTTP ${s}${detail(res.body, req.service)}` };
    return { kind: 'trouble', message: `HTTP ${s}: unexpected status${detail(res.body, req.service)}` };
  },
};

/** A 2xx: success_pattern decides, matched off the main thread with a deadline (pattern.ts). */
async function answered(res: HttpResponse, req: UpdateRequest): Promise<Outcome> {
  const pattern = req.service.success_pattern;
  if (pattern === '') return { kind: 'ok', message: `HTTP ${res.status}` };
  const r = await matchPattern(pattern, res.body);
  // The schema refuses such a pattern; this keeps classify() from ever throwing.
  if (r === 'invalid') return { kind: 'rejected', reach: 'service', message: 'success_pattern is not a valid regular expression' };
  if (r === 'match') return { kind: 'ok', message: `HTTP ${res.status}` };
  if (r === 'timeout') {
    return {
      kind: 'rejected',
      reach: 'service',
      message: `HTTP ${res.status}, but success_pattern did not finish matching the answer within ${MATCH_DEADLINE_MS / 1000} s (it backtracks too much: simplify it)`,
    };
  }
  const said = res.body.trim() === '' ? 'an empty answer' : quotedAnswer(res.body.slice(0, MATCHED_CHARS), req.service);
  return {
    kind: 'rejected',
    reach: 'record',
    message: `HTTP ${res.status}, but the answer does not match success_pattern: ${said}`,
  };
}

function detail(body: string, credentials: Credentials): string {
  return body.trim() === '' ? '' : `: ${quotedAnswer(body, credentials)}`;
}

const compiled = new Map<string, Result<RegExp>>();

/** `success_pattern` compiled for the schema's check, once per pattern (pattern.ts compiles it, in the worker too). */
export function successPattern(pattern: string): Result<RegExp> {
  let r = compiled.get(pattern);
  if (r === undefined) {
    r = compilePattern(pattern);
    compiled.set(pattern, r);
  }
  return r;
}
