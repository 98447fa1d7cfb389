#!/usr/bin/env node
// Some registries serve only the platform packages of a few systems. npm then leaves the others
// (Biome's and Tailwind's native binaries for macOS, Windows, musl…) out of package-lock.json, and
// `npm ci` refuses the lock as out of sync. This adds the missing optional platform entries, with
// the os/cpu/libc they declare, so the lock is complete on every system: npm skips the ones that do
// not match the machine, and fetches the right one elsewhere. Runs after every `npm install`.
import fs from 'node:fs';
import path from 'node:path';

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
const lockFile = path.join(root, 'package-lock.json');
if (!fs.existsSync(lockFile)) process.exit(0);
const lock = JSON.parse(fs.readFileSync(lockFile, 'utf8'));
const packages = lock.packages ?? {};

/** os, cpu and libc from a platform package's name, e.g. cli-linux-x64-musl, oxide-win32-arm64-msvc. */
function platformOf(name) {
  const os = ['android', 'darwin', 'freebsd', 'linux', 'win32', 'wasm32'].find(
    (o) => name.includes(`-${o}-`) || name.endsWith(`-${o}`),
  );
  const cpu = ['arm64', 'x64', 'arm', 'ia32'].find((c) => new RegExp(`-${c}(-|$)`).test(name));
  if (name.includes('wasm32')) return { cpu: ['wasm32'] };
  if (!os || !cpu) return undefined;
  const entry = { cpu: [cpu], os: [os] };
  if (os === 'linux') entry.libc = [name.includes('musl') ? 'musl' : 'glibc'];
  return entry;
}

let added = 0;
for (const [key, pkg] of Object.entries(packages)) {
  for (const [dep, version] of Object.entries(pkg.optionalDependencies ?? {})) {
    const depKey = `node_modules/${dep}`;
    if (packages[depKey] || packages[`${key}/${depKey}`]) continue;
    const platform = platformOf(dep);
    if (!platform) continue; // only platform binaries are filled in
    packages[depKey] = { version, ...platform, ...(pkg.dev ? { dev: true } : {}), optional: true };
    added++;
  }
}
if (added > 0) {
  lock.packages = Object.fromEntries(
    Object.entries(packages).sort(([a], [b]) => (a === '' ? -1 : b === '' ? 1 : a.localeCompare(b))),
  );
  fs.writeFileSync(lockFile, `${JSON.stringify(lock, null, 2)}\n`);
  console.log(`package-lock.json: added ${added} optional platform packages the registry did not list`);
}
