// What `updyn check-config` shows: the JSON LuCI and scripts read (its shape is
// an interface, DESIGN.md "check-config"), and the summary a person reads.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseConfig, SERVICE_OPTIONS } from '../../src/config/schema';
import { renderConfigJson, renderConfigText } from '../../src/config/render';
import type { Config } from '../../src/types';
import { repoRoot } from '../support/env';

const designExample = readFileSync(join(repoRoot, 'test', 'config', 'fixtures', 'valid', 'design-example.uci'), 'utf8');

function config(text: string): Config {
  const r = parseConfig('updyn.conf', text);
  assert.ok(r.ok, JSON.stringify(r));
  return r.value;
}

test('the JSON of the documented example config is the documented JSON, defaults included', () => {
  const json = renderConfigJson(config(`${designExample}\toption foo bar\n`));
  assert.deepEqual(JSON.parse(JSON.stringify(json)), {
    global: { log_level: 'info', log_format: 'text', state_dir: '/var/run/updyn' },
    services: [
      {
        name: 'home', enabled: true, protocol: 'zerigo', update_url: 'http://update.zerigo.com/dynamic',
        username: 'login@example.com', password: '(redacted)', auth: 'basic', host: ['example.zerigo.com'],
        interface: 'wan', device: '', ipv4: true, ipv6: true, ip_source: 'auto',
        checkip_url: 'http://checkip.zerigo.com/', checkip4_url: 'http://checkip4.zerigo.com/', checkip6_url: 'http://checkip6.zerigo.com/',
        check_interval: 300, force_interval: 86400, timeout: 10,
        service_name: '', success_pattern: '', verify_dns: false, dns_server: '', cacert: '',
        zone: '', ttl: 1, proxied: false, tsig_algorithm: 'hmac-sha256',
      },
    ],
    warnings: [
      "updyn.conf:9: option 'update_url' in section 'home' uses plain http, so the token travels unencrypted; use https if the provider offers it",
      "updyn.conf:25: unknown option 'foo' in section 'home'",
    ],
  });
});

test('every service lists every option in one fixed order, disabled ones too', () => {
  const json = renderConfigJson(config(`${designExample}config service\n\toption enabled 0\n`));
  assert.equal(json.services.length, 2);
  for (const s of json.services) assert.deepEqual(Object.keys(s), SERVICE_OPTIONS);
  assert.equal(json.services[1]?.name, '@service[1]');
  assert.equal(json.services[1]?.enabled, false);
});

test('the JSON is one plain document: numbers as numbers, booleans as booleans, lists as arrays', () => {
  const s = renderConfigJson(config(designExample)).services[0] ?? {};
  assert.equal(typeof s.timeout, 'number');
  assert.equal(typeof s.ipv6, 'boolean');
  assert.ok(Array.isArray(s.host));
});

test('the summary shows each section and setting, redacted, disabled services marked', () => {
  const text = renderConfigText(config(`${designExample}config service spare\n\toption enabled 0\n`));
  assert.match(text, /^updyn\.conf: valid; 2 services \(1 enabled\), 1 warning\n/);
  assert.match(text, /\nglobal\n {2}log_level +info\n/);
  assert.match(text, /\nservice home\n {2}enabled +yes\n/);
  assert.match(text, /\n {2}password +\(redacted\)\n/);
  assert.match(text, /\n {2}host +example\.zerigo\.com\n/);
  assert.match(text, /\n {2}device +''\n/);
  assert.match(text, /\nservice spare \(disabled\)\n/);
  assert.ok(!text.includes('f7f9c95662ebc538'));
});

test('a value with odd characters is quoted in the summary so that it cannot mislead', () => {
  const text = renderConfigText(config(`${designExample}\toption username 'a\nb'\n`));
  assert.match(text, /\n {2}username +'a\\nb'\n/);
});
