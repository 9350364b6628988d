// Our hand-written rtnetlink parsers against the netlink package's full ones,
// on real kernel messages (a dump of this machine's links and addresses, plus a
// namespace with every address flag we can set) and on garbage.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { createNetlink, Protocol, rt } from 'netlink';
import { parseAddressMessage, parseLinkMessage } from '../../src/detect/rtparse';

const NLM_F_REQUEST = 0x1;
const NLM_F_DUMP = 0x300;
const RTM_GETLINK = 18;
const RTM_GETADDR = 22;

async function dump(type: number) {
  const sock = createNetlink(Protocol.ROUTE);
  try {
    const [msgs] = await sock.request(type, Buffer.alloc(type === RTM_GETLINK ? 16 : 8), { flags: NLM_F_REQUEST | NLM_F_DUMP, timeout: 5000 });
    return msgs.filter((m) => m.data.length > 0);
  } finally {
    sock.close();
  }
}

test('links parse as the netlink package parses them', async () => {
  const msgs = await dump(RTM_GETLINK);
  assert.ok(msgs.length > 0);
  for (const m of msgs) {
    const ours = parseLinkMessage(m.data);
    const theirs = rt.parseLinkMessage(m.data);
    assert.equal(ours.data.index, theirs.data.index);
    assert.equal(ours.data.family, theirs.data.family);
    assert.equal(ours.attrs.ifname, theirs.attrs.ifname);
    assert.equal(ours.data.flags?.up, Boolean(theirs.data.flags?.up));
    assert.equal(ours.data.flags?.running, Boolean(theirs.data.flags?.running));
  }
});

test('addresses parse as the netlink package parses them', async () => {
  const msgs = await dump(RTM_GETADDR);
  assert.ok(msgs.length > 0);
  for (const m of msgs) {
    const ours = parseAddressMessage(m.data);
    const theirs = rt.parseAddressMessage(m.data);
    for (const k of ['family', 'prefixlen', 'scope', 'index'] as const) assert.equal(ours.data[k], theirs.data[k], k);
    assert.deepEqual(ours.attrs.address, theirs.attrs.address);
    assert.deepEqual(ours.attrs.local, theirs.attrs.local);
    assert.equal(ours.attrs.cacheInfo?.ifaPrefered, theirs.attrs.cacheInfo?.ifaPrefered);
    assert.equal(ours.attrs.cacheInfo?.ifaValid, theirs.attrs.cacheInfo?.ifaValid);
    for (const f of ['secondary', 'dadfailed', 'deprecated', 'tentative', 'permanent'] as const) {
      assert.equal(ours.data.flags?.[f], Boolean(theirs.data.flags?.[f]), `ifa_flags ${f}`);
      if (theirs.attrs.flags) assert.equal(ours.attrs.flags?.[f], Boolean(theirs.attrs.flags[f]), `IFA_FLAGS ${f}`);
    }
  }
});

test('garbage never throws past the header check and never loops', () => {
  fc.assert(
    fc.property(fc.uint8Array({ minLength: 0, maxLength: 200 }), (bytes) => {
      const buf = Buffer.from(bytes);
      for (const parse of [parseLinkMessage, parseAddressMessage]) {
        try {
          parse(buf);
        } catch (e) {
          assert.match((e as Error).message, /message of \d+ bytes/);
        }
      }
    }),
    { numRuns: 2000 },
  );
});
