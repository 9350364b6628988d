// A token in the config never comes back out: not in an error, a warning, the
// JSON LuCI reads, nor the text summary — whether the config is valid or not.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { formatConfigError, parseConfig } from '../../src/config/schema';
import { renderConfigJson, renderConfigText } from '../../src/config/render';
import { redactUrl, serviceSecrets, urlSecrets } from '../../src/config/redact';

const TOKEN = 'SECRET-TOKEN-7f3a';
/** Every way the token could leak: as is, URL-encoded, or base64 in a Basic header. */
const leaks = (text: string) =>
  [TOKEN, encodeURIComponent(TOKEN), Buffer.from(TOKEN).toString('base64').slice(0, 16), '7f3a'].filter((f) => text.includes(f));

function everythingPrinted(text: string): string {
  const r = parseConfig('updyn.conf', text);
  if (!r.ok) return r.error.map(formatConfigError).join('\n');
  return [JSON.stringify(renderConfigJson(r.value)), renderConfigText(r.value), ...r.value.warnings].join('\n');
}

const base = 'config service home\n\toption enabled 1\n\toption username me\n\tlist host a.example.com\n\toption interface wan\n';

describe('the token never appears in what updyn prints about the config', () => {
  const cases: [string, string][] = [
    ['as the password', `${base}\toption password '${TOKEN}'\n`],
    ['in the update URL userinfo', `${base}\toption password p\n\toption update_url 'https://me:${TOKEN}@dyn.example.net/nic/update'\n`],
    ['as a token= query parameter', `${base}\toption password p\n\toption protocol custom\n\toption update_url 'https://dyn.example.net/u?host=[DOMAIN]&token=${TOKEN}'\n`],
    ['as a password= parameter of a checkip URL', `${base}\toption password p\n\toption checkip_url 'https://ip.example.net/?password=${TOKEN}'\n`],
    ['URL-encoded in a query parameter', `${base}\toption password p\n\toption update_url 'https://dyn.example.net/u?key=${encodeURIComponent(TOKEN)}'\n`],
    ['as a path segment', `${base}\toption password p\n\toption update_url 'https://sync.example.net/u/${TOKEN}xyz/'\n`],
    ['as a bare query string', `${base}\toption password p\n\toption update_url 'https://dyn.example.net/update.php?${TOKEN}xyz'\n`],
    // invalid configs: the error must not quote the value
    ['as a password given as a list', `${base}\tlist password '${TOKEN}'\n`],
    ['in an invalid update URL', `${base}\toption password p\n\toption update_url 'ftp://${TOKEN}@x/'\n`],
    ['in an unparseable update URL', `${base}\toption password p\n\toption update_url 'https://x/${TOKEN} y'\n`],
    ['in an unparseable checkip URL', `${base}\toption password p\n\toption checkip6_url 'not-a-url-${TOKEN}'\n`],
    ['under a misspelt option name', `${base}\toption password p\n\toption passwrod '${TOKEN}'\n`],
    ['unquoted with a space after it', `${base}\toption password ${TOKEN} more\n`],
    ['in an unterminated quote', `${base}\toption password '${TOKEN}\n`],
    ['on a line of its own', `${base}\toption password\n${TOKEN}\n`],
    ['in a disabled service', `${base}\toption enabled 0\n\toption password '${TOKEN}'\n\toption timeout 0\n`],
  ];
  for (const [where, text] of cases) {
    test(where, () => {
      assert.deepEqual(leaks(everythingPrinted(text)), []);
    });
  }
});

describe('what is redacted, and what is left readable', () => {
  test('the password shows as (redacted); an unset one as empty', () => {
    const r = parseConfig('f', `${base}\toption password '${TOKEN}'\nconfig service off\n\toption enabled 0\n`);
    assert.ok(r.ok);
    const json = renderConfigJson(r.value);
    assert.equal(json.services[0]?.password, '(redacted)');
    assert.equal(json.services[1]?.password, '');
  });

  test('credentials inside URLs are replaced, the rest of the URL kept', () => {
    assert.equal(redactUrl(`https://me:${TOKEN}@dyn.example.net/nic/update`), 'https://(redacted)@dyn.example.net/nic/update');
    assert.equal(redactUrl(`https://x.example/u?hostname=a.example.com&token=${TOKEN}&ip=1`), 'https://x.example/u?hostname=a.example.com&token=(redacted)&ip=1');
    assert.equal(redactUrl(`https://x.example/u?api_key=${TOKEN}`), 'https://x.example/u?api_key=(redacted)');
    assert.equal(redactUrl(`https://x.example/dynamic/update.php?U2VDUkVULVRPS0VO7f3a`), 'https://x.example/dynamic/update.php?(redacted)');
    assert.equal(redactUrl(`https://sync.x.example/u/aB3dE5gH7jK9mN1pQ/`), 'https://sync.x.example/u/(redacted)/');
  });

  test('URLs without credentials, and placeholders, are shown as they are', () => {
    for (const u of ['http://update.zerigo.com/dynamic', 'https://members.dyndns.org/nic/update', 'https://x.example/u?user=[USERNAME]&pass=[PASSWORD]&host=[DOMAIN]&ip=[IP]', 'https://[USERNAME]:[PASSWORD]@x.example/', '']) {
      assert.equal(redactUrl(u), u);
    }
  });

  test('a URL that does not parse is hidden entirely', () => {
    assert.equal(redactUrl(`not a url ${TOKEN}`), '(redacted)');
  });

  test("a service's secrets are listed for the log redactor, raw and decoded", () => {
    assert.deepEqual(urlSecrets(`https://x.example/u?token=${encodeURIComponent('a b+c/d')}`), ['a%20b%2Bc%2Fd', 'a b+c/d']);
    const r = parseConfig('f', `${base}\toption password pw123\n\toption update_url 'https://me:${TOKEN}@x.example/?key=k3y'\n`);
    assert.ok(r.ok);
    const secrets = serviceSecrets(r.value.services[0]!);
    for (const s of ['pw123', TOKEN, 'k3y']) assert.ok(secrets.includes(s), s);
    assert.ok(!secrets.includes('x.example'));
  });
});
