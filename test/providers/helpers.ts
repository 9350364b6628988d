// What the provider suites share: a test provider whose account holds the
// fixtures' TOKEN, a sender through the real transport, and the check that no
// spelling of a token ever shows up in an outcome.
import assert from 'node:assert/strict';
import type { TestContext } from 'node:test';
import type { Family, Outcome, ServiceConfig } from '../../src/types';
import type { ProviderSpec as ProviderImpl } from '../../src/providers/provider';
import { sendUpdate } from '../../src/providers/provider';
import { startProvider, type Account, type Provider } from '../provider/server';
import { service, TOKEN } from '../support/fixtures';

export { TOKEN };
export const USER = 'login@example.com';
export const HOST = 'example.zerigo.com';
export const OTHER_HOST = 'www.example.zerigo.com';

/** A provider on both loopbacks whose one account uses `token`, stopped when the test ends. */
export async function providerWith(t: TestContext, token = TOKEN, over: Partial<Account> = {}): Promise<Provider & { url6: string }> {
  const p = await startProvider({ accounts: [{ user: USER, token, hosts: [HOST, OTHER_HOST], ...over }] });
  t.after(() => p.stop());
  if (p.url6 === undefined) throw new Error('the test provider has no IPv6 listener');
  return Object.assign(p, { url6: p.url6 });
}

export interface Send {
  host?: string;
  family?: Family;
  address?: string;
}

/** One update through sendUpdate (real sockets), its outcome checked for secrets before it is returned. */
export async function send(spec: ProviderImpl, svc: ServiceConfig, r: Send = {}): Promise<Outcome> {
  const family = r.family ?? 'ipv4';
  const address = r.address ?? (family === 'ipv4' ? '203.0.113.5' : '2001:db8::5');
  const { elapsedMs: _ms, ...outcome } = await sendUpdate(spec, { service: svc, host: r.host ?? HOST, family, address });
  assertNoSecret(outcome, svc.password);
  return outcome;
}

/** No spelling of `secret` (raw, URL-encoded, form-encoded, inside Basic) in anything the outcome says. */
export function assertNoSecret(outcome: Outcome, secret = TOKEN): void {
  const text = JSON.stringify(outcome);
  const forms = [secret, encodeURIComponent(secret), new URLSearchParams({ x: secret }).toString().slice(2), 'SeCrEt'];
  for (const f of forms) assert.ok(!text.includes(f), `outcome holds a secret: ${text}`);
  assert.ok(!/Basic [A-Za-z0-9+/=]{8,}/.test(text), `outcome holds a Basic credential: ${text}`);
}

export { service };
