// The dyndns2 protocol, GET /nic/update?hostname=<fqdn>[,<fqdn>...]&myip=<address>, Basic auth only.
// The answer is a word in a text/plain body, one line per host: `good <ip>`, `nochg <ip>`, `nohost`,
// `notfqdn`; or one word for the whole request: `badauth` (HTTP 401), `badagent`, `abuse`, `numhost`.
// Everything but badauth is HTTP 200, as the dyndns2 servers answer; the `word` mode plays the rest
// (`911`, `dnserr`, `!donator`...) with any status.
import { isFqdn, parseIp } from './address';
import { basicAuth, plain, type Answer, type RequestInfo } from './request';
import type { ProviderState } from './state';

/** dyndns2 takes a comma-separated list of hosts, up to this many. */
export const MAX_HOSTS = 20;

export function dyndns2Update(req: RequestInfo, state: ProviderState): Answer {
  const word = (w: string, extra: Partial<Answer> = {}, status = 200) => plain(status, w, extra);
  // The spec's badagent: no User-Agent, or a method other than GET.
  if (req.method !== 'GET' || !req.headers['user-agent']) return word('badagent');

  const basic = basicAuth(req.headers);
  const auth = basic === 'malformed' ? null : basic;
  const challenge = { headers: { 'WWW-Authenticate': 'Basic realm="updyn test provider"' } };
  const login = state.login(auth);
  if (!login.ok) {
    // An account whose updates are off is blocked, which dyndns2 says with `abuse` (account-wide).
    if (login.why === 'disabled') return word('abuse');
    return word('badauth', challenge, 401);
  }

  const list = req.query.get('hostname');
  if (list === null || list === '') return word('notfqdn');
  const hosts = list.split(',');
  if (hosts.length > MAX_HOSTS) return word('numhost');

  // As the spec says: no myip, or one that is not an address, and the connection's source is used.
  const myip = req.query.get('myip');
  const addr = (myip === null ? null : parseIp(myip)) ?? req.remote;
  let set = false;
  const lines = hosts.map((h) => {
    if (!isFqdn(h)) return 'notfqdn';
    if (!state.owns(login.account, h)) return 'nohost';
    set = true;
    return `${state.setRecord(h, addr.record, addr.ip) ? 'good' : 'nochg'} ${addr.ip}`;
  });
  const where = set ? { ip: addr.ip, record: addr.record } : {};
  return word(lines.join('\n'), where);
}
