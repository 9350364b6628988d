// The control surface that lets another process drive a provider: the same operations as the
// in-process Provider, as JSON. Served over HTTP under /_control/ and, by the cli, over stdin/stdout
// (which reaches a provider inside a network namespace that the test cannot route to).
import { parseMode } from './modes';
import type { ProviderState } from './state';
import type { Endpoint, Family, ProviderInfo } from './types';

export const CONTROL_PREFIX = '/_control/';

export interface ControlReply {
  status: number;
  body: unknown;
}

/** One control operation. `body` is the raw request body (JSON for the POSTs). Never throws. */
export function control(state: ProviderState, info: ProviderInfo, method: string, target: string, body: string): ControlReply {
  const url = new URL(target, 'http://control.invalid');
  const op = url.pathname.startsWith(CONTROL_PREFIX) ? url.pathname.slice(CONTROL_PREFIX.length) : '';
  const want = (m: string): ControlReply | null =>
    method === m ? null : { status: 405, body: { error: `${url.pathname} takes ${m}` } };
  try {
    switch (op) {
      case 'info':
        return want('GET') ?? { status: 200, body: info };
      case 'requests': {
        // ?since=SEQ: only what came after, so that a poller does not fetch the whole log each time.
        const since = Number(url.searchParams.get('since') ?? '0');
        return want('GET') ?? { status: 200, body: state.requests.filter((r) => r.seq > since) };
      }
      case 'records':
        return want('GET') ?? { status: 200, body: Object.fromEntries(state.records) };
      case 'mode': {
        const bad = want('POST');
        if (bad) return bad;
        const { endpoint, mode } = json(body);
        state.setMode(endpoint as Endpoint, parseMode(mode));
        return { status: 200, body: { ok: true } };
      }
      case 'checkip': {
        const bad = want('POST');
        if (bad) return bad;
        const { family, address } = json(body);
        if (address !== null && typeof address !== 'string') throw new Error('"address" must be a string or null');
        state.setCheckipAnswer(family as Family, address);
        return { status: 200, body: { ok: true } };
      }
      case 'reset':
        if (method !== 'POST') return { status: 405, body: { error: `${url.pathname} takes POST` } };
        state.reset();
        return { status: 200, body: { ok: true } };
      default:
        return { status: 404, body: { error: `no control ${JSON.stringify(url.pathname)}` } };
    }
  } catch (e) {
    return { status: 400, body: { error: e instanceof Error ? e.message : String(e) } };
  }
}

function json(text: string): Record<string, unknown> {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch {
    throw new Error('the body must be JSON');
  }
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new Error('the body must be a JSON object');
  return v as Record<string, unknown>;
}
