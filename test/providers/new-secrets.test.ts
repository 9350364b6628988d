// The Cloudflare token and the TSIG secret are registered like every password:
// redaction catches them raw, base64-encoded and in an `Authorization: Bearer` header.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { redact } from '../../src/lib/secrets';
import { registerSecrets } from '../../src/shell/boot';
import { config, service } from '../support/fixtures';

test('a Cloudflare token and a TSIG secret are redacted raw, in base64 and after Bearer', (t) => {
  const token = 'Cf-ApiToken-0123456789abcdefXYZ';
  const tsig = Buffer.alloc(32, 9).toString('base64');
  registerSecrets(config([service({ name: 'cf', protocol: 'cloudflare', username: '', password: token }), service({ name: 'ns', protocol: 'nsupdate', username: 'updyn-key', password: tsig })]));
  const line = `Authorization: Bearer ${token}; echo ${Buffer.from(token).toString('base64')}; secret "${tsig}"; ${Buffer.from(tsig).toString('base64')}`;
  const out = redact(line);
  for (const f of [token, Buffer.from(token).toString('base64'), tsig, Buffer.from(tsig).toString('base64')]) assert.ok(!out.includes(f), out);
  assert.equal(out, 'Authorization: (redacted); echo (redacted); secret "(redacted)"; (redacted)');
});
