// The DNS server answers what the provider holds, as Node's own resolver (c-ares) reads it.
import assert from 'node:assert/strict';
import { createSocket } from 'node:dgram';
import { promises as dns } from 'node:dns';
import { test, type TestContext } from 'node:test';
import { AUTH, get, HOST, providerFor } from './client';
import { startDnsServer, type DnsServerOptions } from './dns';
import type { RecordSet } from './types';

async function dnsFor(t: TestContext, opts: DnsServerOptions) {
  const server = await startDnsServer(opts);
  t.after(() => server.stop());
  const resolver = new dns.Resolver({ timeout: 300, tries: 1 });
  resolver.setServers([server.host.includes(':') ? `[${server.host}]:${server.port}` : `${server.host}:${server.port}`]);
  return { server, resolver };
}

const code = (e: unknown) => (e as NodeJS.ErrnoException).code;

test("it answers the provider's records: what an update set, DNS says, at once", async (t) => {
  const p = await providerFor(t);
  const { server, resolver } = await dnsFor(t, { host: '127.0.0.1', records: p.records });
  await get(`${p.url}/dynamic?host=${HOST}&ip=203.0.113.5`, { headers: AUTH });
  await get(`${p.url}/dynamic?host=${HOST}&ip=2001:db8::5`, { headers: AUTH });
  assert.deepEqual(await resolver.resolve4(HOST), ['203.0.113.5']);
  assert.deepEqual(await resolver.resolve6(HOST), ['2001:db8::5']);
  await get(`${p.url}/dynamic?host=${HOST}&ip=203.0.113.6`, { headers: AUTH });
  assert.deepEqual(await resolver.resolve4(HOST), ['203.0.113.6']);
  assert.deepEqual(server.queries, [
    { name: HOST, type: 'A' },
    { name: HOST, type: 'AAAA' },
    { name: HOST, type: 'A' },
  ]);
});

test('TTLs are given, names match whatever their case', async (t) => {
  const records = new Map<string, RecordSet>([['a.example.com', { A: '192.0.2.1' }]]);
  const { resolver } = await dnsFor(t, { host: '127.0.0.1', records, ttl: 42 });
  assert.deepEqual(await resolver.resolve4('A.Example.COM', { ttl: true }), [{ address: '192.0.2.1', ttl: 42 }]);
});

test('NXDOMAIN for an unknown name, an empty answer for a type the name lacks', async (t) => {
  const records = new Map<string, RecordSet>([['v4only.example.com', { A: '192.0.2.1' }]]);
  const { resolver } = await dnsFor(t, { host: '127.0.0.1', records });
  await assert.rejects(resolver.resolve4('nope.example.com'), (e) => code(e) === 'ENOTFOUND');
  await assert.rejects(resolver.resolve6('v4only.example.com'), (e) => code(e) === 'ENODATA');
  await assert.rejects(resolver.resolveMx('v4only.example.com'), (e) => code(e) === 'ENODATA');
});

test('servfail answers SERVFAIL; drop answers nothing, so the resolver times out', async (t) => {
  const records = new Map<string, RecordSet>([['a.example.com', { A: '192.0.2.1' }]]);
  const { server, resolver } = await dnsFor(t, { host: '127.0.0.1', records });
  server.setMode('servfail');
  await assert.rejects(resolver.resolve4('a.example.com'), (e) => code(e) === 'ESERVFAIL');
  server.setMode('drop');
  await assert.rejects(resolver.resolve4('a.example.com'), (e) => code(e) === 'ETIMEOUT');
  server.setMode('normal');
  assert.deepEqual(await resolver.resolve4('a.example.com'), ['192.0.2.1']);
  assert.equal(server.queries.length, 3, 'queries are recorded in every mode');
  assert.throws(() => server.setMode('weird' as 'drop'), /unknown DNS mode/);
});

test('it serves over IPv6 too', async (t) => {
  const records = new Map<string, RecordSet>([['a.example.com', { AAAA: '2001:db8::1' }]]);
  const { resolver } = await dnsFor(t, { host: '::1', records });
  assert.deepEqual(await resolver.resolve6('a.example.com'), ['2001:db8::1']);
});

test('on the wire: id echoed, authoritative, RD echoed, the answer names the question by pointer', async (t) => {
  const records = new Map<string, RecordSet>([['ab.cd', { A: '192.0.2.7', AAAA: '::ffff:192.0.2.7' }]]);
  const { server } = await dnsFor(t, { host: '127.0.0.1', records, ttl: 300 });
  const question = Buffer.from([2, 0x61, 0x62, 2, 0x63, 0x64, 0, 0, 1, 0, 1]); // ab.cd A IN
  const query = Buffer.concat([Buffer.from([0xbe, 0xef, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0]), question]);
  const reply = await exchange(server.port, query);
  assert.ok(reply);
  assert.equal(reply.readUInt16BE(0), 0xbeef);
  assert.equal(reply.readUInt16BE(2), 0x8500, 'QR, AA, RD; NOERROR');
  assert.deepEqual([reply.readUInt16BE(4), reply.readUInt16BE(6), reply.readUInt16BE(8), reply.readUInt16BE(10)], [1, 1, 0, 0]);
  assert.deepEqual(reply.subarray(12, 12 + question.length), question);
  const rr = reply.subarray(12 + question.length);
  assert.deepEqual([...rr], [0xc0, 12, 0, 1, 0, 1, 0, 0, 1, 44, 0, 4, 192, 0, 2, 7]);
  // AAAA of a v4-mapped address: 16 bytes.
  const aaaa = Buffer.from(query);
  aaaa.writeUInt16BE(28, 12 + question.length - 4);
  const r6 = await exchange(server.port, aaaa);
  assert.deepEqual([...(r6 ?? Buffer.alloc(0)).subarray(-16)], [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 192, 0, 2, 7]);
});

test('malformed packets are ignored, and the server keeps answering', async (t) => {
  const records = new Map<string, RecordSet>([['ab.cd', { A: '192.0.2.7' }]]);
  const { server, resolver } = await dnsFor(t, { host: '127.0.0.1', records });
  const header = (flags: number, qd: number) => Buffer.from([0, 1, flags >> 8, flags & 0xff, 0, qd, 0, 0, 0, 0, 0, 0]);
  const junk = [
    Buffer.from('hello'),
    Buffer.concat([header(0x8000, 1), Buffer.from([2, 0x61, 0x62, 0, 0, 1, 0, 1])]), // a response, not a query
    Buffer.concat([header(0x0100, 2), Buffer.from([2, 0x61, 0x62, 0, 0, 1, 0, 1])]), // two questions
    Buffer.concat([header(0x0100, 1), Buffer.from([0xc0, 12, 0, 1, 0, 1])]), // compression in a question
    Buffer.concat([header(0x0100, 1), Buffer.from([9, 0x61, 0x62])]), // a label past the end
    Buffer.concat([header(0x0100, 1), Buffer.from([2, 0x61, 0x62, 0, 0, 1])]), // no class
  ];
  for (const packet of junk) assert.equal(await exchange(server.port, packet, 150), null, packet.toString('hex'));
  assert.equal(server.queries.length, 0);
  assert.deepEqual(await resolver.resolve4('ab.cd'), ['192.0.2.7']);
});

/** One datagram out, the first datagram back, or null after `waitMs`. */
async function exchange(port: number, packet: Buffer, waitMs = 2000): Promise<Buffer | null> {
  const sock = createSocket('udp4');
  try {
    return await new Promise<Buffer | null>((resolve, reject) => {
      const timer = setTimeout(() => resolve(null), waitMs);
      sock.once('message', (m: Buffer) => {
        clearTimeout(timer);
        resolve(m);
      });
      sock.send(packet, port, '127.0.0.1', (e) => e && reject(e));
    });
  } finally {
    sock.close();
  }
}
