// The only part of the config layer that touches the file system: which file,
// reading it as UTF-8 text, and what its permissions say.
import { constants, existsSync } from 'node:fs';
import { open } from 'node:fs/promises';
import type { Config, Result } from '../types';
import { err, ok } from '../types';
import { type ConfigError, formatConfigError } from './reader';
import { parseConfig } from './schema';

export { type ConfigError, formatConfigError };

/** libuci reads the runtime copy (conf2dir) when there is one. */
export const RUNTIME_CONFIG = '/var/run/uci/updyn';
export const PERSISTENT_CONFIG = '/etc/config/updyn';

/** A config is text a person wrote; anything this large is a wrong path. */
export const MAX_CONFIG_BYTES = 1024 * 1024;

export function defaultConfigPath(exists: (path: string) => boolean = existsSync): string {
  return exists(RUNTIME_CONFIG) ? RUNTIME_CONFIG : PERSISTENT_CONFIG;
}

export async function loadConfig(file: string): Promise<Result<Config, ConfigError[]>> {
  const read = await readConfigFile(file);
  if (!read.ok) return err([{ file, line: 0, message: read.error }]);
  const text = decodeConfigText(read.value.bytes);
  if (!text.ok) return err([{ file, line: 0, message: text.error }]);
  const config = parseConfig(file, text.value);
  if (!config.ok) return config;
  return ok({ ...config.value, warnings: [...configWarningsForFile(file, read.value), ...config.value.warnings] });
}

/** A warning when others than the owner may read the file: it holds tokens. */
export function configWarningsForFile(file: string, stat: { mode: number }): string[] {
  if ((stat.mode & 0o044) === 0) return [];
  const mode = (stat.mode & 0o777).toString(8).padStart(4, '0');
  return [
    formatConfigError({
      file,
      line: 0,
      message: `readable by group or others (mode ${mode}) although it holds tokens; run: chmod 600 ${file}`,
    }),
  ];
}

/** Text, or why the bytes are not a config uci could read. */
export function decodeConfigText(bytes: Uint8Array): Result<string> {
  const nul = bytes.indexOf(0);
  if (nul >= 0) return err(`not a text file: NUL byte on line ${lineAt(bytes, nul)}`);
  if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) {
    return err('starts with a byte order mark (BOM), which uci rejects; save it as UTF-8 without BOM');
  }
  const decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
  try {
    return ok(decoder.decode(bytes));
  } catch {
    return err(`not valid UTF-8 text (line ${firstBadLine(bytes)})`);
  }
}

// ---------------------------------------------------------------------------

interface FileRead {
  bytes: Uint8Array;
  mode: number;
}

async function readConfigFile(file: string): Promise<Result<FileRead>> {
  let fh;
  try {
    // O_NONBLOCK: opening a FIFO for reading would otherwise wait for a writer
    fh = await open(file, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (e) {
    return err(describe(e));
  }
  try {
    const st = await fh.stat();
    if (st.isDirectory()) return err('is a directory, not a config file');
    // a FIFO or device would block or never end
    if (!st.isFile()) return err('is not a regular file');
    if (st.size > MAX_CONFIG_BYTES) return err(`is too large for a config file (${st.size} bytes; at most ${MAX_CONFIG_BYTES})`);
    return ok({ bytes: await fh.readFile(), mode: st.mode });
  } catch (e) {
    return err(describe(e));
  } finally {
    await fh.close().catch(() => undefined);
  }
}

function describe(e: unknown): string {
  const code = (e as NodeJS.ErrnoException).code;
  switch (code) {
    case 'ENOENT':
      return 'cannot read the config: no such file';
    case 'EACCES':
    case 'EPERM':
      return 'cannot read the config: permission denied';
    case 'EISDIR':
      return 'is a directory, not a config file';
    case 'ENOTDIR':
      return 'cannot read the config: a part of the path is not a directory';
    default:
      return `cannot read the config: ${code ?? (e instanceof Error ? e.message : String(e))}`;
  }
}

function lineAt(bytes: Uint8Array, index: number): number {
  let line = 1;
  for (let i = 0; i < index; i++) if (bytes[i] === 0x0a) line++;
  return line;
}

function firstBadLine(bytes: Uint8Array): number {
  const decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
  let start = 0;
  for (let line = 1; start <= bytes.length; line++) {
    let end = bytes.indexOf(0x0a, start);
    if (end < 0) end = bytes.length;
    try {
      decoder.decode(bytes.subarray(start, end));
    } catch {
      return line;
    }
    start = end + 1;
  }
  return 1;
}
