// The Zerigo update endpoint, GET /dynamic?host=&ip=[&user=&password=], as PROTOCOL.md defines it:
// the answer is the HTTP status, repeated in the body as `Status: NNN` with a short reason on errors.
import { parseIp } from './address';
import { basicAuth, plain, queryAuth, repeated, type Answer, type RequestInfo } from './request';
import type { ProviderState } from './state';

export function zerigoUpdate(req: RequestInfo, state: ProviderState): Answer {
  const fail = (status: number, reason: string, extra: Partial<Answer> = {}) =>
    plain(status, `Status: ${status}\n${reason}\n`, extra);
  if (req.method !== 'GET') return fail(405, 'only GET is allowed', { headers: { Allow: 'GET' } });

  // Basic auth first (updyn's default); query parameters are the fallback the protocol allows.
  const basic = basicAuth(req.headers);
  const auth = basic === 'malformed' ? null : (basic ?? queryAuth(req.query, 'user', 'password'));
  const challenge = { headers: { 'WWW-Authenticate': 'Basic realm="updyn test provider"' } };
  if (basic === 'malformed') return fail(401, 'malformed Authorization header', challenge);
  const login = state.login(auth);
  if (!login.ok) {
    if (login.why === 'no-credentials') return fail(401, 'login and token required', challenge);
    if (login.why === 'bad-login') return fail(401, 'bad login or token', challenge);
    return fail(403, 'updates are not enabled for this account');
  }

  const dup = repeated(req.query, ['host', 'ip', 'user', 'password']);
  if (dup) return fail(400, `parameter ${dup} given more than once`);
  const host = req.query.get('host');
  if (host === null || host === '') return fail(400, 'missing host');
  if (!state.owns(login.account, host)) return fail(404, `host ${JSON.stringify(host)} is not in this account`);

  // Without ip the connection's source decides, and with it the record type.
  const given = req.query.get('ip');
  const addr = given === null ? req.remote : parseIp(given);
  if (!addr) return fail(400, `invalid ip ${JSON.stringify(given)}`);
  state.setRecord(host, addr.record, addr.ip);
  return plain(200, 'Status: 200\n', { ip: addr.ip, record: addr.record });
}
