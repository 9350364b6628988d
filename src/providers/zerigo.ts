// Zerigo's dynamic update protocol (PROTOCOL.md): GET update_url?host=&ip=,
// credentials as Basic auth (default: keeps the token out of URLs and so out of
// access logs) or as user=/password= query parameters. The answer is the HTTP
// status, which the body may repeat as `Status: NNN`.
import type { Outcome, UpdateRequest } from '../types';
import type { HttpResponse } from '../lib/http';
import type { BuiltRequest, ProviderSpec } from './provider';
import { withCredentials } from './provider';
import { quotedAnswer } from './answer';

const REASONS: Record<number, string> = {
  400: 'bad argument',
  401: 'bad login or token',
  403: 'updates not enabled for this account',
  404: 'unknown host',
  405: 'method not allowed',
  422: 'bad argument',
  429: 'too many requests',
};

/** PROTOCOL.md's default; the original provider is gone, so it is only the default of a setting. */
export const ZERIGO_UPDATE_URL = 'http://update.zerigo.com/dynamic';

export const zerigo: ProviderSpec = {
  protocol: 'zerigo',
  title: 'Zerigo dynamic update (GET host= ip=, the HTTP status answers)',
  defaults: { update_url: ZERIGO_UPDATE_URL, auth: 'basic' },

  build(req: UpdateRequest): BuiltRequest {
    return withCredentials(req, { host: req.host, ip: req.address }, { user: 'user', password: 'password' });
  },

  classify(res: HttpResponse, req: UpdateRequest): Outcome {
    const status = effectiveStatus(res);
    const message = describeStatus(status, res.status);
    if (status >= 200 && status <= 299) return { kind: 'ok', message };
    if (status === 429 || status >= 500) return { kind: 'trouble', message };
    if (status === 401 || status === 403) return { kind: 'rejected', reach: 'service', message };
    if (status === 404) return { kind: 'rejected', reach: 'host', message };
    if (status >= 400 && status <= 499) return { kind: 'rejected', reach: 'record', message };
    return { kind: 'trouble', message: `HTTP ${res.status}: unexpected answer ${quotedAnswer(res.body, req.service, 40)}` };
  },
};

/** A 2xx whose body says `Status: 4xx` (or 5xx) is believed: the body is the provider's own word. */
function effectiveStatus(res: HttpResponse): number {
  if (res.status < 200 || res.status > 299) return res.status;
  const m = /^\s*Status:\s*(\d{3})\b/im.exec(res.body);
  const inBody = m ? Number(m[1]) : NaN;
  return Number.isFinite(inBody) && (inBody < 200 || inBody > 299) ? inBody : res.status;
}

function describeStatus(status: number, http: number): string {
  const where = status === http ? `HTTP ${http}` : `HTTP ${http}, Status: ${status}`;
  const reason = REASONS[status];
  return reason ? `${where}: ${reason}` : where;
}
