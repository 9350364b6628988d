// A stand-in in front of a real DNS server: every UDP query is answered with
// only its header, TC=1 (what a server sends when the answer does not fit), and
// TCP connections are relayed byte for byte to the real server, which answers.
// Usage: node truncating-dns.js LISTEN_IP UPSTREAM_IP   (port 53 both; one line per UDP query on stdout)
import { createSocket } from 'node:dgram';
import { connect, createServer } from 'node:net';

const [listen = '127.0.0.2', upstream = '127.0.0.1'] = process.argv.slice(2);
const udp = createSocket('udp4');
udp.on('message', (m, rinfo) => {
  if (m.length < 12) return;
  const reply = Buffer.from(m.subarray(0, 12));
  reply.writeUInt16BE((m.readUInt16BE(2) & 0x7800) | 0x8000 | 0x0200, 2); // QR, the query's opcode, TC
  reply.fill(0, 4, 12);
  udp.send(reply, rinfo.port, rinfo.address);
  process.stdout.write(`udp ${m.length}\n`);
});
udp.bind(53, listen);
createServer((client) => {
  const server = connect({ host: upstream, port: 53 });
  client.pipe(server).pipe(client);
  client.on('error', () => server.destroy());
  server.on('error', () => client.destroy());
  process.stdout.write('tcp\n');
}).listen(53, listen, () => process.stdout.write('listening\n'));
process.stdin.on('end', () => process.exit(0));
process.stdin.resume();
