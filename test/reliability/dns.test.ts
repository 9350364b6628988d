// The provider's name does not resolve. Inside a network namespace whose
// resolv.conf (bind-mounted by `ip netns exec` from /etc/netns/NAME/) points at
// 127.0.0.1, where nothing listens or a test DNS server refuses, drops or denies
// the name: no packet ever leaves. Each is trouble with a retry, said in words.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, rmdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { createNetns } from '../support/netns';
import { spawnProvider } from '../provider/remote';
import { builtPath, tempDir } from '../support/env';
import { TOKEN } from '../support/fixtures';
import { runUpdyn } from '../support/updyn';
import { conf, output } from './support';

const NAME = 'update.provider.example.net';

for (const server of ['none', 'normal', 'servfail', 'drop'] as const) {
  const what = { none: 'nothing listens on port 53', normal: 'the name does not exist (NXDOMAIN)', servfail: 'the server fails (SERVFAIL)', drop: 'the server never answers' }[server];
  test(`the provider's name does not resolve, ${what}: trouble with a retry, said in words`, async (t) => {
    const ns = await createNetns(t);
    if (!ns) return;
    const etc = join('/etc/netns', ns.name);
    mkdirSync(etc, { recursive: true });
    t.after(() => {
      rmSync(etc, { recursive: true, force: true });
      // /etc/netns itself too, when nothing else uses it (rmdir refuses otherwise)
      try {
        rmdirSync('/etc/netns');
      } catch {
        // still in use, or gone
      }
    });
    // for the silent server, a resolver that gives up after 3 s (glibc's default is 5 s x 2 tries)
    writeFileSync(join(etc, 'resolv.conf'), `nameserver 127.0.0.1\n${server === 'drop' ? 'options timeout:3 attempts:1\n' : ''}`);
    writeFileSync(join(etc, 'nsswitch.conf'), 'hosts: files dns\n');
    writeFileSync(join(etc, 'hosts'), '127.0.0.1 localhost\n');

    const queries: string[] = [];
    if (server !== 'none') {
      const dns = ns.nodeProcess(builtPath('test/reliability/dns-server'), [server]);
      const lines = createInterface({ input: dns.stdout! });
      await new Promise<void>((resolve, reject) => {
        lines.on('line', (l) => (l === 'ready' ? resolve() : queries.push(l)));
        dns.once('exit', (code) => reject(new Error(`dns-server exited ${code}`)));
      });
    }
    const provider = await spawnProvider(['--account', `login@example.com:${TOKEN}:example.zerigo.com`, '--quiet', '--checkip4', '203.0.113.5'], { netns: ns.name });
    t.after(() => provider.stop());
    const dir = tempDir(t);
    const file = join(dir, 'updyn.conf');
    const port = new URL(provider.url).port;
    writeFileSync(
      file,
      conf({ stateDir: join(dir, 'state'), services: [{ updateUrl: `http://${NAME}:${port}/dynamic`, checkip: provider.url, token: TOKEN, ipv6: false, timeout: 2 }] }),
      { mode: 0o600 },
    );
    const started = Date.now();
    const r = await runUpdyn(['once', '-c', file], { netns: ns.name });
    const ms = Date.now() - started;
    assert.equal(r.code, 1, output(r));
    const line = /^home example\.zerigo\.com A: provider trouble \((.*)\); retry in \d+ s$/m.exec(r.stderr);
    assert.ok(line, output(r));
    await new Promise((resolve) => setTimeout(resolve, 100)); // the server's last query lines
    t.diagnostic(`${what}: "${line[1]}"; the run took ${ms} ms; ${queries.length} queries reached the test server`);
    if (server === 'drop') {
      assert.equal(line[1], 'no answer within 2 s');
      // updyn gives up at its timeout, but the process exits only when the system
      // resolver does: getaddrinfo cannot be cancelled (RELIABILITY.md, open points)
      assert.ok(ms >= 2000 && ms < 3000 + 1500, `the run took ${ms} ms`);
    } else {
      assert.match(line[1]!, /^cannot resolve the server's name \((EAI_AGAIN|ENOTFOUND)\)$/);
      assert.ok(ms < 2000, `the run took ${ms} ms`);
    }
    if (server !== 'none') assert.ok(queries.some((q) => q.includes(NAME)), `the lookup went to the namespace's server: ${queries.join(' ')}`);
    assert.equal((await provider.requests()).filter((x) => x.endpoint === 'update').length, 0);
  });
}
