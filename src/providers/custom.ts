// The custom protocol: any provider with an HTTP GET update URL. The user writes
// the URL with [USERNAME] [PASSWORD] [DOMAIN] [IP] ([IPV4] [IPV6]) where the values go; each is
// substituted percent-encoded (encodeURIComponent), so a token holding `&`, `+`,
// `/`, `=` or spaces reaches the provider intact. Success is a 2xx whose body
// matches `success_pattern` (unanchored; '' takes any 2xx), because many small
// providers answer errors with HTTP 200 and only their words tell.
//
// Credentials go where the URL's placeholders put them. `auth 'basic'` adds the
// Authorization header as well; `auth 'query'` adds nothing (the placeholders
// are the query form), like `none`.
//
// Messages never hold the URL: with [PASSWORD] in it, it holds the token.
import type { Outcome, UpdateRequest } from '../types';
import type { HttpResponse } from '../http';
import type { BuiltRequest, ProviderSpec } from './provider';
import { basicAuth } from './provider';
import { type Credentials, quotedAnswer } from './answer';

const PLACEHOLDER = /\[(USERNAME|PASSWORD|DOMAIN|IP|IPV4|IPV6)\]/g;

export const custom: ProviderSpec = {
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

  classify(res: HttpResponse, req: UpdateRequest): Outcome {
    const s = res.status;
    if (s >= 200 && s <= 299) return answered(res, req);
    // Credentials belong to the service, so a refusal of them stops all its records.
    if (s === 401 || s === 403) return { kind: 'rejected', reach: 'service', message: `HTTP ${s}${detail(res.body, req.service)}` };
    if (s === 429 || s >= 500) return { kind: 'trouble', message: `HTTP ${s}${detail(res.body, req.service)}` };
    if (s >= 400 && s <= 499) return { kind: 'rejected', reach: 'record', message: `HTTP ${s}${detail(res.body, req.service)}` };
    return { kind: 'trouble', message: `HTTP ${s}: unexpected status${detail(res.body, req.service)}` };
  },
};

function answered(res: HttpResponse, req: UpdateRequest): Outcome {
  const pattern = req.service.success_pattern;
  if (pattern === '') return { kind: 'ok', message: `HTTP ${res.status}` };
  let re: RegExp;
  try {
    re = new RegExp(pattern);
  } catch {
    // The schema refuses such a pattern; this keeps classify() from ever throwing.
    return { kind: 'rejected', reach: 'service', message: 'success_pattern is not a valid regular expression' };
  }
  if (re.test(res.body)) return { kind: 'ok', message: `HTTP ${res.status}` };
  const said = res.body.trim() === '' ? 'an empty answer' : quotedAnswer(res.body, req.service);
  return {
    kind: 'rejected',
    reach: 'record',
    message: `HTTP ${res.status}, but the answer does not match success_pattern: ${said}`,
  };
}

function detail(body: string, credentials: Credentials): string {
  return body.trim() === '' ? '' : `: ${quotedAnswer(body, credentials)}`;
}
