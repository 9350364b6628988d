// protocol 'nsupdate' against a small UDP stand-in on loopback, for the answers a
// real BIND does not give on cue: REFUSED, NOTZONE, SERVFAIL, an unsigned or a
// forged NOERROR (never believed), and what the UPDATE itself holds.
import assert from 'node:assert/strict';
import { createSocket } from 'node:dgram';
import { test, type TestContext } from 'node:test';
import { nsupdate } from '../../src/providers/nsupdate';
import { readHeader, readRecords } from '../../src/lib/dns/message';
import { send, service } from './helpers';

const SECRET = Buffer.alloc(32, 5).toString('base64');

/** Answers every UPDATE with only its header, the given RCODE, no TSIG (or a TSIG with a made-up MAC). */
async function standIn(t: TestContext, rcode: number, forgedTsig = false) {
  const sock = createSocket('udp4');
  const got: Buffer[] = [];
  sock.on('message', (m, r) => {
    got.push(m);
    const reply = Buffer.from(m.subarray(0, 12));
    reply.writeUInt16BE(0x8000 | (5 << 11) | rcode, 2);
    reply.fill(0, 4, 12);
    let out = reply;
    if (forgedTsig) {
      // the request's own TSIG record, MAC and all, echoed: a MAC that does not cover this answer
      const recs = readRecords(m)!;
      const tsig = recs[recs.length - 1]!;
      out = Buffer.concat([reply, m.subarray(tsig.offset)]);
      out.writeUInt16BE(1, 10);
    }
    sock.send(out, r.port, r.address);
  });
  await new Promise<void>((resolve) => sock.bind(0, '127.0.0.1', resolve));
  t.after(() => sock.close());
  const svc = service({ protocol: 'nsupdate', dns_server: `127.0.0.1:${sock.address().port}`, zone: 'example.com', username: 'updyn-key', password: SECRET, timeout: 2 });
  return { svc, got };
}

const HOST = 'home.example.com';

test('the UPDATE names the zone, deletes the set and adds the address, and is signed', async (t) => {
  const { svc, got } = await standIn(t, 2);
  await send(nsupdate, svc, { host: HOST });
  const m = got[0]!;
  const h = readHeader(m)!;
  assert.equal(h.opcode, 5);
  assert.deepEqual(h.counts, [1, 0, 2, 1]);
  const [del, add, tsig] = readRecords(m)!;
  assert.deepEqual([del!.name, del!.type, del!.class, del!.ttl, del!.rdata.length], [HOST, 1, 255, 0, 0]);
  assert.deepEqual([add!.name, add!.type, add!.class, add!.ttl, [...add!.rdata]], [HOST, 1, 1, 300, [203, 0, 113, 5]]);
  assert.deepEqual([tsig!.name, tsig!.type, tsig!.class], ['updyn-key', 250, 255]);
  assert.ok(!m.includes(Buffer.from(SECRET)) && !m.includes(Buffer.from(SECRET, 'base64')), 'the secret never travels');
});

test('REFUSED and NOTZONE stop the host; SERVFAIL is trouble', async (t) => {
  assert.deepEqual(await send(nsupdate, (await standIn(t, 5)).svc, { host: HOST }), { kind: 'rejected', reach: 'host', message: `REFUSED: the server does not let this key update ${HOST}` });
  assert.deepEqual(await send(nsupdate, (await standIn(t, 10)).svc, { host: HOST }), { kind: 'rejected', reach: 'host', message: `NOTZONE: ${HOST} is not in zone example.com` });
  assert.deepEqual(await send(nsupdate, (await standIn(t, 2)).svc, { host: HOST }), { kind: 'trouble', message: 'SERVFAIL' });
});

test('an unsigned NOERROR, or one whose MAC does not cover the answer, is never believed', async (t) => {
  assert.deepEqual(await send(nsupdate, (await standIn(t, 0)).svc, { host: HOST }), { kind: 'trouble', message: 'NOERROR, but the answer is not signed' });
  assert.deepEqual(await send(nsupdate, (await standIn(t, 0, true)).svc, { host: HOST }), { kind: 'trouble', message: 'NOERROR, but the answer is not signed with our key' });
});

test('an AAAA is sent as 16 bytes', async (t) => {
  const { svc, got } = await standIn(t, 2);
  await send(nsupdate, svc, { host: HOST, family: 'ipv6', address: '2001:db8::5' });
  const add = readRecords(got[0]!)![1]!;
  assert.equal(add.type, 28);
  assert.equal(add.rdata.toString('hex'), '20010db8000000000000000000000005');
});
