// The musl addons that `npm run package -- --arch A` puts in a package, read
// as ELF by our own reader (test/support/elf.ts): the target's machine, ARM's
// hard-float ABI and FPU, only musl's libc.so needed, no glibc symbol version,
// stripped, at most 1 MiB. The suite builds one aarch64 and one ARM target
// (cached under .build/cross) and checks every other musl build found there
// too (`--arch all` leaves one per architecture).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { repoRoot, tempDir } from '../support/env';
import { EF_ARM_ABI_FLOAT_HARD, EF_ARM_EABIMASK, EM, isStripped, parseElf, TAG_ABI_VFP_ARGS } from '../support/elf';
import { CROSS_TIMEOUT_MS, crossAddon, needsZig } from '../support/cross';
import { controlFields, readIpk } from './tar';

const MiB = 1024 * 1024;
/** What `npm test` builds; the other architectures are checked when a previous `--arch all` left them in the cache. */
const BUILT_HERE = ['aarch64_generic', 'arm_cortex-a7_neon-vfpv4'];

function expectedMachine(arch: string): number {
  if (arch === 'x86_64') return EM.X86_64;
  if (arch.startsWith('i386_')) return EM.X86;
  if (arch.startsWith('aarch64_')) return EM.AARCH64;
  if (arch.startsWith('arm_')) return EM.ARM;
  throw new Error(`no machine known for ${arch}`);
}

function checkMuslAddon(arch: string, file: string): void {
  const bytes = readFileSync(file);
  const elf = parseElf(bytes);
  const what = `${arch} (${file})`;
  assert.equal(elf.type, 3, `${what}: a shared object (ET_DYN)`);
  assert.equal(elf.machine, expectedMachine(arch), `${what}: e_machine`);
  assert.equal(elf.bits, arch === 'x86_64' || arch.startsWith('aarch64_') ? 64 : 32, `${what}: ELF class`);
  assert.deepEqual(elf.needed, ['libc.so'], `${what}: needs only musl's libc.so`);
  assert.deepEqual(elf.versionsNeeded.filter((v) => v.startsWith('GLIBC_')), [], `${what}: no glibc symbol version`);
  assert.ok(isStripped(elf), `${what}: stripped`);
  assert.ok(bytes.length <= MiB, `${what}: ${bytes.length} bytes, over 1 MiB`);
  if (elf.machine === EM.ARM) {
    assert.equal(elf.flags & EF_ARM_EABIMASK, 0x05000000, `${what}: EABI version 5`);
    assert.ok(elf.flags & EF_ARM_ABI_FLOAT_HARD, `${what}: EF_ARM_ABI_FLOAT_HARD in e_flags (0x${elf.flags.toString(16)})`);
    // lld sets EF_ARM_ABI_FLOAT_HARD from its inputs' Tag_ABI_VFP_args, and its
    // output's attributes keep the CPU and FPU but not that tag: when present it must say VFP
    const vfpArgs = elf.armAttributes.get(TAG_ABI_VFP_ARGS);
    if (vfpArgs !== undefined) assert.equal(vfpArgs, 1, `${what}: Tag_ABI_VFP_args = VFP registers`);
    // the FPU OpenWrt's name promises: Tag_FP_arch (10) 5 = VFPv4, 4 = VFPv3-D16; Tag_Advanced_SIMD_arch (12) 2 = NEON with FMA
    const fpu = /_neon-vfpv4$/.test(arch) ? { fp: 5, simd: 2 } : /_vfpv3-d16$/.test(arch) ? { fp: 4, simd: undefined } : null;
    assert.ok(fpu, `${what}: no FPU expectation for this name`);
    assert.equal(elf.armAttributes.get(10), fpu.fp, `${what}: Tag_FP_arch`);
    assert.equal(elf.armAttributes.get(12) || undefined, fpu.simd, `${what}: Tag_Advanced_SIMD_arch`);
  }
}

/** Every musl build in the cache, as [arch, file]. */
function cachedMuslBuilds(): [string, string][] {
  const dir = join(repoRoot, '.build/cross');
  if (!existsSync(dir)) return [];
  const out: [string, string][] = [];
  for (const d of readdirSync(dir)) {
    const m = /^(x86_64|i386_[\w-]+|aarch64_[\w-]+|arm_[\w-]+)-[0-9a-f]{16}$/.exec(d);
    const file = join(dir, d, 'netlink.node');
    if (m && existsSync(file)) out.push([m[1] as string, file]);
  }
  return out;
}

test('every musl addon is its machine\'s stripped shared object, needing only libc.so, hard-float on ARM, under 1 MiB', { timeout: CROSS_TIMEOUT_MS }, async (t) => {
  if (!needsZig(t)) return;
  const built = await Promise.all(BUILT_HERE.map(async (arch) => [arch, await crossAddon(arch)] as [string, string]));
  const all = new Map<string, string>([...cachedMuslBuilds(), ...built].map(([a, f]) => [f, a]));
  for (const [file, arch] of all) checkMuslAddon(arch, file);
  t.diagnostic(`checked ${all.size} musl builds: ${[...new Set(all.values())].join(', ')}`);
});

test('the checks can fail: a glibc build of the same pipeline shows libc.so.6 and GLIBC_ versions', { timeout: CROSS_TIMEOUT_MS }, async (t) => {
  if (!needsZig(t)) return;
  const gnu = await crossAddon('x86_64-linux-gnu');
  const elf = parseElf(readFileSync(gnu));
  assert.equal(elf.machine, EM.X86_64);
  assert.ok(elf.needed.includes('libc.so.6'), elf.needed.join(' '));
  assert.ok(elf.versionsNeeded.some((v) => v.startsWith('GLIBC_')), elf.versionsNeeded.join(' '));
  assert.throws(() => checkMuslAddon('x86_64', gnu), /needs only musl's libc\.so/);
});

test('`npm run package -- --arch A` packs the cross-built addon as /usr/lib/updyn/netlink.node, Architecture: A', { timeout: CROSS_TIMEOUT_MS }, async (t) => {
  if (!needsZig(t)) return;
  const arch = 'arm_cortex-a7_neon-vfpv4';
  const addon = await crossAddon(arch);
  const out = tempDir(t);
  const r = spawnSync(process.execPath, [join(repoRoot, 'build/package.mjs'), '--no-build', '--arch', arch, '--out', out], { encoding: 'utf8', timeout: CROSS_TIMEOUT_MS });
  assert.equal(r.status, 0, r.stdout + r.stderr);
  const file = readdirSync(out).find((f) => f.startsWith('updyn_') && f.endsWith(`_${arch}.ipk`));
  assert.ok(file, `no updyn_*_${arch}.ipk in ${readdirSync(out).join(' ')}`);
  const { data, control } = readIpk(readFileSync(join(out, file)));
  const packed = data.find((e) => e.name === './usr/lib/updyn/netlink.node');
  assert.ok(packed, 'the package carries /usr/lib/updyn/netlink.node');
  assert.deepEqual(packed.data, readFileSync(addon));
  assert.equal(packed.mode & 0o777, 0o755);
  const fields = controlFields(control.find((e) => e.name === './control')?.data.toString() ?? '');
  assert.equal(fields.get('Architecture'), arch);
  assert.ok(statSync(join(out, file)).size < MiB, 'the package stays small');
});
