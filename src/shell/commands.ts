// `updyn check-config` and `updyn status`: read-only commands.
import { join } from 'node:path';
import type { CommonArgs } from './argv';
import { EXIT_FAILED, EXIT_OK, EXIT_USAGE } from './argv';
import { defaultConfigPath, formatConfigError, loadConfig } from '../config/load';
import { renderConfigJson, renderConfigText } from '../config/render';
import { registerSecrets } from './boot';
import { isRunning, readJsonFile } from '../lib/files';
import type { StatusDocument, StatusRecord } from '../output/status-file';
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

export async function status(args: CommonArgs): Promise<number> {
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

export function renderStatusTable(doc: StatusDocument, running: boolean, now = Date.now()): string {
  const out: string[] = [];
  const since = doc.started_at ? ` since ${doc.started_at}` : '';
  out.push(running ? `updyn ${doc.version}: running, pid ${doc.pid}${since}` : `updyn ${doc.version}: not running (last status from pid ${doc.pid}, ${doc.updated_at})`);
  const services = Array.isArray(doc.services) ? doc.services : [];
  if (services.length === 0) {
    out.push('no service enabled');
    return `${out.join('\n')}\n`;
  }
  const rows: string[][] = [['SERVICE', 'HOST', 'TYPE', 'CURRENT', 'REGISTERED', 'RESULT', 'LAST UPDATE', 'NEXT', 'TOKENS']];
  for (const s of services) {
    for (const rec of Array.isArray(s.records) ? s.records : ([] as StatusRecord[])) {
      rows.push([
        s.name,
        rec.host,
        rec.type,
        rec.current ? `${rec.current} (${rec.source ?? '?'})` : '-',
        rec.registered ?? '-',
        rec.last_message ? `${rec.last_result}: ${rec.last_message}` : rec.last_result,
        relative(rec.registered_at, now),
        relative(rec.next_attempt_at, now),
        String(rec.tokens),
      ]);
    }
  }
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length)));
  for (const r of rows) out.push(r.map((c, i) => c.padEnd(widths[i] ?? 0)).join('  ').trimEnd());
  return `${out.join('\n')}\n`;
}

function relative(iso: string | null | undefined, now: number): string {
  if (!iso) return '-';
  const t = Date.parse(iso);
  if (!Number.isFinite(t)) return '-';
  const s = Math.round((t - now) / 1000);
  const abs = Math.abs(s);
  const text = abs < 90 ? `${abs} s` : abs < 5400 ? `${Math.round(abs / 60)} min` : abs < 172800 ? `${Math.round(abs / 3600)} h` : `${Math.round(abs / 86400)} d`;
  return s < 0 ? `${text} ago` : s === 0 ? 'now' : `in ${text}`;
}
