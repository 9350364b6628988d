// The test provider as a process, for tests that run it in another network namespace and for
// `npm run demo`:
//
//   node .build/test/provider/cli.js [--listen HOST:PORT]... [--account USER:TOKEN:HOST,HOST[:disabled]]...
//        [--checkip4 ADDR] [--checkip6 ADDR] [--quiet] [--control-stdio]
//
// Prints one JSON line on stdout once listening ({"url","url6","port"}), logs each request on
// stderr, stops on SIGTERM/SIGINT. --control-stdio also serves the controls as JSON lines on
// stdin/stdout ({"id","method","path","body"} -> {"id","status","body"}) and exits when stdin
// closes, so a provider never outlives the test that spawned it.
import { createInterface } from 'node:readline';
import { logLine, parseCli, type CliOptions } from './cli-args';
import { startProvider, type ProviderOptions } from './server';

async function main(): Promise<void> {
  let o: CliOptions;
  try {
    o = parseCli(process.argv.slice(2));
  } catch (e) {
    process.stderr.write(`provider: ${(e as Error).message}\n`);
    process.exit(2);
  }
  const opts: ProviderOptions = {};
  if (o.listen) opts.listen = o.listen;
  if (o.accounts) opts.accounts = o.accounts;
  if (!o.quiet) opts.onRequest = (r) => process.stderr.write(logLine(r));
  const provider = await startProvider(opts);
  if (o.checkip4) provider.setCheckipAnswer('ipv4', o.checkip4);
  if (o.checkip6) provider.setCheckipAnswer('ipv6', o.checkip6);

  const stop = () => void provider.stop().then(() => process.exit(0));
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
  const { url, url6, port } = provider;
  process.stdout.write(`${JSON.stringify({ url, url6, port })}\n`);

  if (o.controlStdio) {
    const lines = createInterface({ input: process.stdin, crlfDelay: Infinity });
    lines.on('line', (line) => {
      let id: unknown = null;
      try {
        const msg = JSON.parse(line) as { id?: unknown; method?: unknown; path?: unknown; body?: unknown };
        id = msg.id ?? null;
        const body = msg.body === undefined ? '' : JSON.stringify(msg.body);
        const reply = provider.control(String(msg.method ?? 'GET'), String(msg.path ?? ''), body);
        process.stdout.write(`${JSON.stringify({ id, ...reply })}\n`);
      } catch (e) {
        process.stdout.write(`${JSON.stringify({ id, status: 400, body: { error: `bad control line: ${(e as Error).message}` } })}\n`);
      }
    });
    lines.on('close', stop); // the parent is gone
  }
}

main().catch((e: unknown) => {
  process.stderr.write(`provider: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exit(1);
});
