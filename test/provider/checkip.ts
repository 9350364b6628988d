// checkip: echo the address a request came from as one XML node, `<ipv4>A.B.C.D</ipv4>` or
// `<ipv6>...</ipv6>`. /checkip answers over both families; /checkip4 and /checkip6 only over theirs.
import { parseIp } from './address';
import { plain, type Answer, type RequestInfo } from './request';
import type { ProviderState } from './state';
import type { Family } from './types';

/** Which checkip server a path names: dual stack, or one family only. */
export type CheckipKind = 'dual' | Family;

export function checkip(req: RequestInfo, state: ProviderState, kind: CheckipKind): Answer {
  if (req.method !== 'GET') return plain(405, 'only GET is allowed\n', { headers: { Allow: 'GET' } });
  const family = req.remote.family;
  // The real checkip4/checkip6 hosts have no address of the other family, so a client cannot even
  // connect; one dual-stack test server says so with 421 Misdirected Request (a 4xx: not trouble).
  if (kind !== 'dual' && kind !== family)
    return plain(421, `checkip${kind === 'ipv4' ? '4' : '6'} answers over ${kind === 'ipv4' ? 'IPv4' : 'IPv6'} only\n`);
  // setCheckipAnswer simulates NAT. The tag follows the address itself, so an override of the other
  // family plays a provider that answers the wrong family (a client must refuse to publish it).
  const override = state.checkipAnswer(family);
  const addr = override === undefined ? req.remote : parseIp(override);
  if (!addr) throw new Error(`checkip: stored answer ${override} is not an address`);
  const tag = addr.family;
  return plain(200, `<${tag}>${addr.ip}</${tag}>`, { ip: addr.ip, record: addr.record });
}
