// A free-form provider for updyn's "custom URL" protocol, GET /custom?domain=&addr=&u=&p=.
// It answers HTTP 200 whatever happens, `OK <addr>` or `ERROR: <reason>`, as many home-made and
// small providers do: only the body (updyn's success_pattern) tells success from failure.
import { parseIp } from './address';
import { basicAuth, plain, queryAuth, type Answer, type RequestInfo } from './request';
import type { ProviderState } from './state';

export function customUpdate(req: RequestInfo, state: ProviderState): Answer {
  if (req.method !== 'GET') return plain(405, 'ERROR: only GET is allowed\n', { headers: { Allow: 'GET' } });
  const basic = basicAuth(req.headers);
  const auth = basic === 'malformed' ? null : (basic ?? queryAuth(req.query, 'u', 'p'));
  const error = (reason: string, extra: Partial<Answer> = {}) => plain(200, `ERROR: ${reason}`, extra);
  if (basic === 'malformed') return error('malformed Authorization header');
  const login = state.login(auth);
  if (!login.ok) {
    if (login.why === 'no-credentials') return error('login and token required');
    if (login.why === 'bad-login') return error('bad login or token');
    return error('updates are not enabled for this account');
  }
  const domain = req.query.get('domain');
  if (domain === null || domain === '') return error('missing domain');
  if (!state.owns(login.account, domain)) return error(`unknown domain ${JSON.stringify(domain)}`);
  const given = req.query.get('addr');
  const addr = given === null ? req.remote : parseIp(given);
  if (!addr) return error(`invalid address ${JSON.stringify(given)}`);
  state.setRecord(domain, addr.record, addr.ip);
  return plain(200, `OK ${addr.ip}`, { ip: addr.ip, record: addr.record });
}
