// The test DNS server as a process, so that it can serve inside a network
// namespace: `node dns-server.js MODE` binds 127.0.0.1:53 with no records (every
// name NXDOMAIN), prints `ready`, then one JSON line per query it sees. MODE is
// normal, drop or servfail. It exits when its stdin closes (the test is gone).
import { startDnsServer, type DnsMode } from '../provider/dns';

async function main(): Promise<void> {
  const server = await startDnsServer({ host: '127.0.0.1', port: 53, records: new Map() });
  server.setMode((process.argv[2] ?? 'normal') as DnsMode);
  let seen = 0;
  setInterval(() => {
    for (; seen < server.queries.length; seen++) process.stdout.write(`${JSON.stringify(server.queries[seen])}\n`);
  }, 20);
  process.stdout.write('ready\n');
  process.stdin.resume();
  process.stdin.on('close', () => process.exit(0));
}

main().catch((e: Error) => {
  process.stderr.write(`${e.message}\n`);
  process.exit(1);
});
