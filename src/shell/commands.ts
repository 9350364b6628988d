// `updyn check-config` and `updyn status`: read-only commands.
import type { CommonArgs } from './argv';
import { EXIT_FAILED, EXIT_OK, EXIT_USAGE } from './argv';
import { defaultConfigPath, formatConfigError, loadConfig } from '../config/load';
import { renderConfigJson, renderConfigText } from '../config/render';
import { registerSecrets } from './boot';
import { isRunning, readJsonFile } from '../lib/files';
import type { StatusDocument } from '../output/status-file';
import { renderStatusTable } from '../output/status-table';
import { statusPath } from '../output/status-file';

export async function checkConfig(args: CommonArgs): Promise<number> {
  const path = args.config ?? defaultConfigPath();
  const r = await loadConfig(path);
  if (!r.ok) {
    const lines = r.error.map(formatConfigError);
    for (const l of lines) process.stderr.write(`${l}\n`);
    if (args.json) process.stdout.write(`${JSON.stringify({ errors: lines }, null, 2)}\n`);
    return EXIT_USAGE;
  }
  registerSecrets(r.value);
  for (const w of r.value.warnings) process.stderr.write(`${w}\n`);
  if (args.json) process.stdout.write(`${JSON.stringify(renderConfigJson(r.value), null, 2)}\n`);
  else process.stdout.write(renderConfigText(r.value));
  return EXIT_OK;
}

export async function showStatus(args: CommonArgs): Promise<number> {
  const path = args.config ?? defaultConfigPath();
  const r = await loadConfig(path);
  if (!r.ok) {
    for (const e of r.error) process.stderr.write(`${formatConfigError(e)}\n`);
    return EXIT_USAGE;
  }
  const file = statusPath(r.value.global.state_dir);
  const read = await readJsonFile(file);
  if (read.kind !== 'ok') {
    const why = read.kind === 'missing' ? 'no status yet: updyn has not run' : `${file}: ${read.reason}`;
    if (args.json) process.stdout.write(`${JSON.stringify({ error: why })}\n`);
    else process.stderr.write(`${why}\n`);
    return EXIT_FAILED;
  }
  const doc = read.value as StatusDocument;
  if (args.json) {
    process.stdout.write(`${JSON.stringify({ ...doc, running: isRunning(doc.pid) }, null, 2)}\n`);
    return EXIT_OK;
  }
  process.stdout.write(renderStatusTable(doc, isRunning(doc.pid)));
  return EXIT_OK;
}
