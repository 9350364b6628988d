// From UCI text to the validated config: defaults, every check with its
// FILE:LINE, warnings, and the rules for enabled and disabled services.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import type { Config, ServiceConfig } from '../../src/types';
import { formatConfigError, parseConfig } from '../../src/config/schema';
import { DYNDNS2_PRESETS } from '../../src/providers/dyndns2';

const FILE = 'updyn.conf';

const PLAIN_HTTP = /uses plain http, so the token travels unencrypted/;

/** The config; the plain-http warning (Zerigo's default URL draws it) is left out here, its own test below has it. */
function config(text: string): Config {
  const r = parseConfig(FILE, text);
  if (!r.ok) assert.fail(`unexpected errors:\n${r.error.map(formatConfigError).join('\n')}`);
  return { ...r.value, warnings: r.value.warnings.filter((w) => !PLAIN_HTTP.test(w)) };
}
function errors(text: string): string[] {
  const r = parseConfig(FILE, text);
  assert.ok(!r.ok, 'the config was accepted');
  return r.error.map(formatConfigError);
}
function service(body: string, i = 0): ServiceConfig {
  const s = config(`config service home\n${body}`).services[i];
  assert.ok(s);
  return s;
}
/** A complete enabled service, plus `extra` lines (from line 7 on). */
const complete = (extra = '') =>
  `config service home\n\toption username me\n\toption password pw\n\tlist host a.example.com\n\toption interface wan\n\toption enabled 1\n${extra}`;

describe('defaults', () => {
  test('a service that sets only what it must gets every other option at its documented default', () => {
    const s = config(complete()).services[0];
    assert.deepEqual(s, {
      name: 'home', enabled: true, protocol: 'zerigo', update_url: 'http://update.zerigo.com/dynamic',
      username: 'me', password: 'pw', auth: 'basic', host: ['a.example.com'], interface: 'wan', device: '',
      ipv4: true, ipv6: true, ip_source: 'auto', checkip_url: 'http://checkip.zerigo.com/',
      checkip4_url: 'http://checkip4.zerigo.com/', checkip6_url: 'http://checkip6.zerigo.com/',
      check_interval: 300, force_interval: 86400, timeout: 10, service_name: '', success_pattern: '',
      verify_dns: false, dns_server: '', cacert: '', zone: '', ttl: 1, proxied: false, tsig_algorithm: 'hmac-sha256',
    } satisfies ServiceConfig);
  });

  test('without a global section the global defaults apply', () => {
    assert.deepEqual(config(complete()).global, { log_level: 'info', log_format: 'text', state_dir: '/var/run/updyn' });
  });

  test('the global section sets log level, format and state dir', () => {
    const c = config(`config updyn global\n\toption log_level debug\n\toption log_format json\n\toption state_dir /tmp/u\n${complete()}`);
    assert.deepEqual(c.global, { log_level: 'debug', log_format: 'json', state_dir: '/tmp/u' });
  });

  test('writing every default out gives the same config as leaving it out', () => {
    const explicit = complete(
      "\toption enabled 1\n\toption protocol zerigo\n\toption update_url 'http://update.zerigo.com/dynamic'\n\toption auth basic\n" +
        "\toption ipv4 1\n\toption ipv6 1\n\toption ip_source auto\n\toption checkip_url 'http://checkip.zerigo.com/'\n" +
        "\toption checkip4_url 'http://checkip4.zerigo.com/'\n\toption checkip6_url 'http://checkip6.zerigo.com/'\n" +
        '\toption check_interval 300\n\toption force_interval 86400\n\toption timeout 10\n\toption verify_dns 0\n',
    );
    assert.deepEqual(config(explicit), config(complete()));
  });

  test('an anonymous service is named the way `uci show` addresses it', () => {
    const c = config(`config service\n\toption enabled 0\n${complete()}config service\n\toption enabled 0\n`);
    assert.deepEqual(c.services.map((s) => s.name), ['@service[0]', 'home', '@service[2]']);
  });

  test('custom defaults to no auth; zerigo and dyndns2 to basic', () => {
    assert.equal(service("\toption enabled 0\n\toption protocol custom\n").auth, 'none');
    assert.equal(service('\toption enabled 0\n\toption protocol dyndns2\n').auth, 'basic');
    assert.equal(service('\toption enabled 0\n').auth, 'basic');
  });
});

describe('dyndns2 presets', () => {
  test('service_name fills in the provider URL', () => {
    for (const [name, preset] of Object.entries(DYNDNS2_PRESETS)) {
      const s = service(`\toption enabled 0\n\toption protocol dyndns2\n\toption service_name '${name}'\n`);
      assert.equal(s.update_url, preset.update_url, name);
    }
  });

  test('the presets point at the providers’ real endpoints', () => {
    assert.equal(DYNDNS2_PRESETS['dyn.com']?.update_url, 'https://members.dyndns.org/nic/update');
    assert.equal(DYNDNS2_PRESETS['no-ip.com']?.update_url, 'https://dynupdate.no-ip.com/nic/update');
    assert.equal(DYNDNS2_PRESETS['dynu.com']?.update_url, 'https://api.dynu.com/nic/update');
    assert.equal(DYNDNS2_PRESETS['dnsomatic.com']?.update_url, 'https://updates.dnsomatic.com/nic/update');
    assert.equal(DYNDNS2_PRESETS['he.net']?.update_url, 'https://dyn.dns.he.net/nic/update');
    assert.equal(DYNDNS2_PRESETS['desec.io']?.update_url, 'https://update.dedyn.io/');
  });

  test("a preset's own checkip URLs replace Zerigo's, family by family", () => {
    const s = service('\toption enabled 0\n\toption protocol dyndns2\n\toption service_name desec.io\n');
    assert.equal(s.checkip4_url, 'https://checkipv4.dedyn.io/');
    assert.equal(s.checkip6_url, 'https://checkipv6.dedyn.io/');
    const noip = service('\toption enabled 0\n\toption protocol dyndns2\n\toption service_name no-ip.com\n');
    assert.equal(noip.checkip4_url, 'http://ip1.dynupdate.no-ip.com/');
    // a preset names only its provider's servers: no IPv6 checkip at no-ip.com, so none
    assert.equal(noip.checkip6_url, '');
    assert.equal(noip.checkip_url, '');
  });

  test('an explicit update_url wins over the preset', () => {
    const s = service("\toption enabled 0\n\toption protocol dyndns2\n\toption service_name dyn.com\n\toption update_url 'https://example.net/nic/update'\n");
    assert.equal(s.update_url, 'https://example.net/nic/update');
  });

  test('an unknown service_name is an error at its line that lists the known ones', () => {
    assert.deepEqual(errors('config service home\n\toption enabled 0\n\toption protocol dyndns2\n\toption service_name dyndns\n'), [
      `${FILE}:4: option 'service_name' in section 'home': 'dyndns' must name a known dyndns2 provider (desec.io, dnsomatic.com, dyn.com, dynu.com, he.net, no-ip.com)`,
    ]);
  });

  test('an enabled dyndns2 service with neither service_name nor update_url is an error', () => {
    assert.deepEqual(errors(complete('\toption protocol dyndns2\n')), [
      `${FILE}:1: section 'home': an enabled service needs service_name (one of desec.io, dnsomatic.com, dyn.com, dynu.com, he.net, no-ip.com) or update_url`,
    ]);
  });

  test('service_name on another protocol is a warning, not silently ignored', () => {
    assert.deepEqual(config(complete('\toption service_name dyn.com\n')).warnings, [
      `${FILE}:7: option 'service_name' in section 'home' is only used with protocol 'dyndns2' or 'custom', so it is ignored`,
    ]);
  });
});

describe('checkip URLs', () => {
  test('setting only checkip_url makes it serve both families (the per-family defaults step aside)', () => {
    const s = config(complete("\toption checkip_url 'https://ip.example.net/'\n")).services[0];
    assert.deepEqual([s?.checkip_url, s?.checkip4_url, s?.checkip6_url], ['https://ip.example.net/', '', '']);
  });

  test('a per-family URL the user sets is kept beside their checkip_url', () => {
    const s = config(complete("\toption checkip_url 'https://ip.example.net/'\n\toption checkip4_url 'https://v4.example.net/'\n")).services[0];
    assert.deepEqual([s?.checkip4_url, s?.checkip6_url], ['https://v4.example.net/', '']);
  });
});

describe('custom protocol', () => {
  const custom = (extra: string) =>
    `config service home\n\toption enabled 1\n\toption protocol custom\n\tlist host a.example.com\n\toption device eth0\n${extra}`;

  test('an enabled custom service needs an update_url', () => {
    assert.deepEqual(errors(custom('')), [`${FILE}:1: section 'home': an enabled service needs service_name (one of duckdns.org, dynv6.com, freedns.afraid.org) or update_url`]);
  });

  test('placeholders may stand anywhere in the URL, even as its host', () => {
    const s = config(custom("\toption update_url 'https://[DOMAIN]/u?ip=[IP]&t=[PASSWORD]'\n\toption password tok\n")).services[0];
    assert.equal(s?.update_url, 'https://[DOMAIN]/u?ip=[IP]&t=[PASSWORD]');
  });

  test('credentials are required only where the URL or the auth mode uses them', () => {
    config(custom("\toption update_url 'https://example.net/u?token=abc&ip=[IP]'\n"));
    assert.deepEqual(errors(custom("\toption update_url 'https://example.net/u?u=[USERNAME]&p=[PASSWORD]'\n")), [
      `${FILE}:1: section 'home': an enabled service needs a username (option username)`,
      `${FILE}:1: section 'home': an enabled service needs a password (option password)`,
    ]);
    assert.equal(errors(custom("\toption update_url 'https://example.net/u'\n\toption auth basic\n")).length, 2);
  });

  test('success_pattern must be a JavaScript regular expression', () => {
    assert.equal(config(custom("\toption update_url 'https://e.net/'\n\toption success_pattern '^(good|nochg)'\n")).services[0]?.success_pattern, '^(good|nochg)');
    assert.deepEqual(errors(custom("\toption update_url 'https://e.net/'\n\toption success_pattern 'good('\n")), [
      `${FILE}:7: option 'success_pattern' in section 'home': 'good(' is not a valid JavaScript regular expression (Unterminated group)`,
    ]);
  });

  test('success_pattern on another protocol is a warning', () => {
    assert.match(config(complete("\toption success_pattern 'ok'\n")).warnings[0] ?? '', /:7: option 'success_pattern' in section 'home' is only used with protocol 'custom'/);
  });
});

describe('values are checked, each error at its own line', () => {
  test('booleans take the words OpenWrt takes', () => {
    for (const [word, want] of [['1', true], ['yes', true], ['on', true], ['true', true], ['enabled', true], ['0', false], ['no', false], ['off', false], ['false', false], ['disabled', false]] as const) {
      assert.equal(config(complete(`\toption verify_dns '${word}'\n`)).services[0]?.verify_dns, want, word);
    }
    assert.deepEqual(errors(complete("\toption ipv6 'Y'\n")), [
      `${FILE}:7: option 'ipv6' in section 'home': 'Y' must be a boolean (1/0, yes/no, on/off, true/false, enabled/disabled)`,
    ]);
  });

  test('intervals and timeout keep to their ranges', () => {
    const ok = config(complete('\toption check_interval 60\n\toption force_interval 3600\n\toption timeout 60\n')).services[0];
    assert.deepEqual([ok?.check_interval, ok?.force_interval, ok?.timeout], [60, 3600, 60]);
    assert.deepEqual(errors(complete("\toption check_interval 59\n\toption force_interval 3599\n\toption timeout 0\n\toption timeout2 x\n")), [
      `${FILE}:7: option 'check_interval' in section 'home': '59' must be a whole number from 60 to 86400`,
      `${FILE}:8: option 'force_interval' in section 'home': '3599' must be a whole number from 3600 to 2419200`,
      `${FILE}:9: option 'timeout' in section 'home': '0' must be a whole number from 1 to 60`,
    ]);
    assert.deepEqual(errors(complete("\toption timeout 61\n")), [`${FILE}:7: option 'timeout' in section 'home': '61' must be a whole number from 1 to 60`]);
    for (const bad of ['10s', '-5', '1e2', ' 10', '0x10', '9999999999999999999']) {
      assert.equal(errors(complete(`\toption timeout '${bad}'\n`)).length, 1, bad);
    }
  });

  test('enumerations name their choices', () => {
    assert.deepEqual(errors(complete('\toption protocol zerigo2\n\toption auth digest\n\toption ip_source web\n')), [
      `${FILE}:7: option 'protocol' in section 'home': 'zerigo2' must be one of zerigo, dyndns2, custom, cloudflare, nsupdate`,
      `${FILE}:8: option 'auth' in section 'home': 'digest' must be one of basic, query, none`,
      `${FILE}:9: option 'ip_source' in section 'home': 'web' must be one of auto, interface, checkip`,
    ]);
    assert.deepEqual(errors(`config updyn global\n\toption log_level verbose\n\toption log_format xml\n${complete()}`), [
      `${FILE}:2: option 'log_level' in section 'global': 'verbose' must be one of debug, info, warn, error`,
      `${FILE}:3: option 'log_format' in section 'global': 'xml' must be one of text, json`,
    ]);
  });

  test('host is read from a list or an option, several names to an option', () => {
    assert.deepEqual(service("\toption enabled 0\n\toption host 'a.example.com  b.example.com'\n").host, ['a.example.com', 'b.example.com']);
    assert.deepEqual(service('\toption enabled 0\n\tlist host a.example.com\n\tlist host b.example.com\n').host, ['a.example.com', 'b.example.com']);
  });

  test('a bad host name is an error at the line of its list item', () => {
    const bad = ['localhost', 'under_score.example.com', '-lead.example.com', 'trail-.example.com', 'a..example.com', 'example.com.', '192.0.2.1', `${'a'.repeat(64)}.example.com`, `${'a.'.repeat(127)}com`, '*.example.com', 'é.example.com'];
    for (const h of bad) {
      const e = errors(`config service home\n\toption enabled 0\n\tlist host ok.example.com\n\tlist host '${h}'\n`);
      assert.equal(e.length, 1, h);
      assert.match(e[0] ?? '', /^updyn\.conf:4: option 'host' in section 'home': '/, h);
    }
  });

  test('a repeated host is dropped with a warning (names compare without case)', () => {
    const c = config(complete('\tlist host b.example.com\n\tlist host A.EXAMPLE.com\n'));
    assert.deepEqual(c.services[0]?.host, ['a.example.com', 'b.example.com']);
    assert.deepEqual(c.warnings, [`${FILE}:8: option 'host' in section 'home': 'A.EXAMPLE.com' is listed twice; the repeat is ignored`]);
  });

  test('URLs must be http or https', () => {
    assert.deepEqual(errors(complete("\toption update_url 'ftp://example.net/'\n\toption checkip4_url 'http://a b/'\n\toption checkip6_url 'nonsense'\n")), [
      `${FILE}:7: option 'update_url' in section 'home': the value (not shown: it may hold a secret) must start with http:// or https://`,
      `${FILE}:8: option 'checkip4_url' in section 'home': the value (not shown: it may hold a secret) must not contain spaces or control characters`,
      `${FILE}:9: option 'checkip6_url' in section 'home': the value (not shown: it may hold a secret) is not a valid URL`,
    ]);
  });

  test('dns_server is IP, IPv4:port or [IPv6]:port', () => {
    for (const good of ['192.0.2.53', '2001:db8::53', '192.0.2.53:5353', '[2001:db8::53]:53']) {
      assert.equal(config(complete(`\toption verify_dns 1\n\toption dns_server '${good}'\n`)).services[0]?.dns_server, good);
    }
    for (const bad of ['dns.example.net', '192.0.2.53:0', '192.0.2.53:70000', '2001:db8::53:53:53:53:53:53', '[192.0.2.53]:53', '2001:db8::53]:53', '[2001:db8::53]']) {
      assert.equal(errors(complete(`\toption verify_dns 1\n\toption dns_server '${bad}'\n`)).length, 1, bad);
    }
  });

  test('device and interface must be names the system can use', () => {
    assert.equal(errors(complete("\toption device 'eth0/1'\n")).length, 1);
    assert.equal(errors(complete(`\toption device '${'x'.repeat(16)}'\n`)).length, 1);
    assert.equal(errors(complete("\toption interface 'wan; reboot'\n")).length, 1);
    assert.equal(config(complete("\toption device 'pppoe-wan'\n")).services[0]?.device, 'pppoe-wan');
  });

  test('state_dir and cacert must be absolute paths', () => {
    assert.equal(errors(`config updyn global\n\toption state_dir run/updyn\n${complete()}`).length, 1);
    assert.equal(errors(complete("\toption cacert 'ca.pem'\n")).length, 1);
    assert.equal(config(complete("\toption cacert '/etc/ssl/ca.pem'\n")).services[0]?.cacert, '/etc/ssl/ca.pem');
  });

  test('a list where one value belongs is an error (host alone may be either)', () => {
    assert.deepEqual(errors(complete('\tlist timeout 10\n\tlist ipv4 1\n')), [
      `${FILE}:7: option 'timeout' in section 'home' must be a single value (written 'option', not 'list')`,
      `${FILE}:8: option 'ipv4' in section 'home' must be a single value (written 'option', not 'list')`,
    ]);
    // a list line after an option of that name makes the whole option a list
    assert.deepEqual(errors(complete('\tlist username x\n')), [
      `${FILE}:2: option 'username' in section 'home' must be a single value (written 'option', not 'list')`,
    ]);
  });

  test('every error in the file is reported, in file order, not just the first', () => {
    const e = errors(`config updyn global\n\toption log_level x\n${complete('\toption timeout 0\n\toption ipv4 maybe\n')}config service other\n\toption enabled 1\n\toption check_interval 1\n`);
    // global's log_level; home's timeout and ipv4; four things 'other' lacks; its check_interval
    assert.deepEqual(e.map((l) => l.split(':')[1]), ['2', '9', '10', '11', '11', '11', '11', '13']);
  });

  test('a syntax error is one error with the file and line', () => {
    assert.deepEqual(errors("config service home\n\toption password 'abc\n"), [`${FILE}:2: EOF with unterminated '`]);
  });
});

describe('enabled and disabled services', () => {
  test('an enabled service without username, password, host or device/interface names each thing it lacks', () => {
    assert.deepEqual(errors('config service home\n\toption enabled 1\n'), [
      `${FILE}:1: section 'home': an enabled service needs a username (option username)`,
      `${FILE}:1: section 'home': an enabled service needs a password (option password)`,
      `${FILE}:1: section 'home': an enabled service needs at least one host (list host 'name.example.com')`,
      `${FILE}:1: section 'home': an enabled service needs a device or an interface (option interface 'wan')`,
    ]);
  });

  test('an enabled service must publish at least one family', () => {
    assert.deepEqual(errors(complete('\toption ipv4 0\n\toption ipv6 0\n')), [`${FILE}:8: section 'home': ipv4 and ipv6 are both off, so there is nothing to update`]);
  });

  test('a device alone is enough, and so is an interface alone', () => {
    config('config service h\n\toption enabled 1\n\toption username u\n\toption password p\n\tlist host a.example.com\n\toption device eth0\n');
    config(complete());
  });

  test('a service is off until enabled is set', () => {
    const c = config('config service home\n\toption username me\n');
    assert.equal(c.services[0]?.enabled, false);
    assert.deepEqual(c.warnings, [`${FILE}: no service is enabled: updyn has nothing to update`]);
  });

  test('a disabled service may be incomplete and is still listed', () => {
    const c = config('config service home\n\toption enabled 0\n');
    assert.equal(c.services.length, 1);
    assert.equal(c.services[0]?.enabled, false);
  });

  test('a disabled service still has its values checked', () => {
    assert.deepEqual(errors('config service home\n\toption enabled 0\n\toption timeout 600\n'), [
      `${FILE}:3: option 'timeout' in section 'home': '600' must be a whole number from 1 to 60`,
    ]);
  });
});

describe('warnings', () => {
  test('a token sent over plain http is a warning on the update_url line (on the section line for the default URL)', () => {
    const all = (text: string) => {
      const r = parseConfig(FILE, text);
      assert.ok(r.ok);
      return r.value.warnings.filter((w) => PLAIN_HTTP.test(w));
    };
    const why = "option 'update_url' in section 'home' uses plain http, so the token travels unencrypted; use https if the provider offers it";
    assert.deepEqual(all(complete("\toption update_url 'http://update.example.com/x'\n")), [`${FILE}:7: ${why}`]);
    assert.deepEqual(all(complete()), [`${FILE}:1: ${why}`]);
    assert.deepEqual(all(complete("\toption update_url 'https://update.example.com/x'\n")), []);
    assert.deepEqual(all(complete("\toption auth none\n")), []);
    assert.deepEqual(all(complete().replace('option enabled 1', 'option enabled 0')), []);
  });

  test('unknown options, section types and extra updyn sections are warnings that name them', () => {
    const c = config(`config updyn global\n\toption colour blue\nconfig updyn main\nconfig server x\n${complete('\toption foo bar\n')}`);
    assert.deepEqual(c.warnings, [
      `${FILE}:2: unknown option 'colour' in section 'global'`,
      `${FILE}:3: section 'main' of type 'updyn' is ignored: only the one named 'global' is read`,
      `${FILE}:4: unknown section type 'server' is ignored`,
      `${FILE}:11: unknown option 'foo' in section 'home'`,
    ]);
  });

  test('a file with no service is valid, with a warning', () => {
    const c = config('config updyn global\n');
    assert.deepEqual(c.services, []);
    assert.deepEqual(c.warnings, [`${FILE}: no service section: updyn has nothing to update`]);
    assert.deepEqual(config('').warnings, [`${FILE}: no service section: updyn has nothing to update`]);
  });

  test('a file whose services are all disabled says so', () => {
    assert.deepEqual(config('config service a\n\toption enabled 0\n').warnings, [`${FILE}: no service is enabled: updyn has nothing to update`]);
  });

  test('two enabled services publishing one name for one family are warned about', () => {
    const second = 'config service two\n\toption enabled 1\n\toption username u\n\toption password p\n\tlist host a.example.com\n\toption device eth1\n\toption ipv4 0\n';
    assert.deepEqual(config(complete() + second).warnings, [
      `${FILE}:11: option 'host' in section 'two': 'a.example.com' (ipv6) is also updated by section 'home'; the two will overwrite each other`,
    ]);
    // one service per family is a normal set-up
    assert.deepEqual(config(complete('\toption ipv6 0\n') + second).warnings, []);
  });

  test('dns_server without verify_dns is a warning', () => {
    assert.match(config(complete("\toption dns_server '192.0.2.53'\n")).warnings[0] ?? '', /:7: option 'dns_server' in section 'home' is only used with verify_dns/);
  });
});
