// Builds netlink's native addon from the source npm installed, with one fix:
// netlink 0.3.0's PollHandler builds its error with a NULL syscall name when
// libuv reports a socket error (a receive-buffer overflow while JavaScript is
// busy), and constructing a JS string from NULL aborts the whole process. With
// the fix the error reaches JavaScript, where the watcher reopens the socket
// and re-reads everything. node-gyp ships inside npm; the build takes seconds.
// Without a compiler the caller falls back to the unpatched prebuild.
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';

const BROKEN = 'ErrnoException(obj->Env(), -status, NULL, "error when polling socket")';
const FIXED = 'ErrnoException(obj->Env(), -status, "uv_poll", "error when polling socket")';

function nodeGyp() {
  const candidates = [
    process.env.npm_config_node_gyp,
    join(dirname(process.execPath), '../lib/node_modules/npm/node_modules/node-gyp/bin/node-gyp.js'),
    '/usr/lib/node_modules/npm/node_modules/node-gyp/bin/node-gyp.js',
    '/usr/local/lib/node_modules/npm/node_modules/node-gyp/bin/node-gyp.js',
  ];
  return candidates.find((p) => p && existsSync(p)) ?? null;
}

/** Node's own headers (node-gyp would otherwise try to download them). */
export function nodeDir() {
  const candidates = [process.env.npm_config_nodedir, join(dirname(process.execPath), '..'), '/usr', '/usr/local'];
  return candidates.find((d) => d && existsSync(join(d, 'include/node/node_api.h'))) ?? null;
}

/** Returns the path of the built addon, or { error } saying why not. */
export function buildPatchedAddon(root, workDir = join(root, '.build/addon')) {
  const src = join(root, 'node_modules/netlink');
  const gyp = nodeGyp();
  if (!gyp) return { error: "npm's node-gyp not found" };
  const headers = nodeDir();
  if (!headers) return { error: "Node's headers (include/node) not found" };
  rmSync(workDir, { recursive: true, force: true });
  mkdirSync(workDir, { recursive: true });
  cpSync(join(src, 'src'), join(workDir, 'src'), { recursive: true });
  cpSync(join(src, 'binding.gyp'), join(workDir, 'binding.gyp'));
  cpSync(join(src, 'package.json'), join(workDir, 'package.json'));
  symlinkSync(join(root, 'node_modules'), join(workDir, 'node_modules'), 'dir');
  const patched = patchNetlinkSource(workDir);
  if (patched.error) return patched;
  const r = spawnSync(process.execPath, [gyp, 'rebuild', '--silent', `--nodedir=${headers}`], { cwd: workDir, encoding: 'utf8', timeout: 180_000 });
  const out = join(workDir, 'build/Release/netlink_binding.node');
  if (r.status !== 0 || !existsSync(out)) return { error: `node-gyp failed: ${(r.stderr || r.stdout || '').trim().split('\n').slice(-3).join(' | ')}` };
  return { path: out };
}

/** Applies the fix to a netlink source tree in place (also used by openwrt/Makefile before the SDK compiles it). */
export function patchNetlinkSource(dir) {
  const file = join(dir, 'src/binding.cc');
  const code = readFileSync(file, 'utf8');
  if (code.includes(FIXED)) return { ok: true };
  if (!code.includes(BROKEN)) return { error: 'netlink source changed; the fix no longer applies (check whether it is still needed)' };
  writeFileSync(file, code.replace(BROKEN, FIXED));
  return { ok: true };
}

// `node build/addon.mjs patch DIR`: the fix alone, for builds that compile netlink themselves
if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const [cmd, dir] = process.argv.slice(2);
  if (cmd !== 'patch' || !dir) {
    console.error('usage: node build/addon.mjs patch NETLINK_DIR');
    process.exit(2);
  }
  const r = patchNetlinkSource(dir);
  if (r.error) {
    console.error(`addon: ${r.error}`);
    process.exit(1);
  }
}
