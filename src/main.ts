// Entry point of the bundle. Nothing escapes as a stack trace: an unexpected
// error is one redacted line on stderr and exit 1 (procd respawns the daemon).
import { EXIT_FAILED, EXIT_OK, EXIT_USAGE, USAGE, parseCommand } from './shell/argv';
import { redact } from './lib/secrets';
import { VERSION } from './version';

async function main(argv: string[]): Promise<number> {
  const cmd = parseCommand(argv);
  switch (cmd.kind) {
    case 'help':
      process.stdout.write(USAGE);
      return EXIT_OK;
    case 'version':
      process.stdout.write(`updyn ${VERSION}\n`);
      return EXIT_OK;
    case 'usage-error':
      process.stderr.write(`updyn: ${cmd.message}\n\n${USAGE}`);
      return EXIT_USAGE;
    case 'check-config':
      return (await import('./shell/commands')).checkConfig(cmd.args);
    case 'status':
      return (await import('./shell/commands')).showStatus(cmd.args);
    case 'once':
      return (await import('./shell/once')).once(cmd.args);
    case 'run':
      return (await import('./shell/run')).run(cmd.args);
  }
}

function die(e: unknown): never {
  const text = e instanceof Error ? `${e.name}: ${e.message}` : String(e);
  process.stderr.write(`updyn: internal error: ${redact(text.split('\n')[0] ?? '')}\n`);
  process.exit(EXIT_FAILED);
}

process.on('uncaughtException', die);
process.on('unhandledRejection', die);

main(process.argv.slice(2)).then((code) => {
  process.exitCode = code;
  // the daemon's sockets and timers are closed by then; anything left (a hung
  // checkip, say) must not keep a finished command alive
  setImmediate(() => process.exit(code));
}, die);
