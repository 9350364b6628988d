// `updyn status` for a terminal: one line about the daemon, one row per record.
import type { StatusDocument, StatusRecord } from './status-file';
import { formatRelative } from '../lib/text';

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
  const t = iso ? Date.parse(iso) : NaN;
  return Number.isFinite(t) ? formatRelative(t, now) : '-';
}
