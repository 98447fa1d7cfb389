#!/usr/bin/env node
// Builds the web app when web/dist is missing or older than its sources, so `npm start` always
// serves the current app without a separate build step.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
const built = path.join(root, 'web/dist/index.html');
const sources = [path.join(root, 'web'), path.join(root, 'contracts')];

function newest(dir) {
  let t = 0;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    if (entry.name === 'dist' || entry.name === 'node_modules') continue;
    const p = path.join(dir, entry.name);
    t = Math.max(t, entry.isDirectory() ? newest(p) : fs.statSync(p).mtimeMs);
  }
  return t;
}

const stale = !fs.existsSync(built) || fs.statSync(built).mtimeMs < Math.max(...sources.map(newest));
if (stale) {
  console.log('Building the web app…');
  const res = spawnSync(
    process.execPath,
    [
      path.join(root, 'node_modules/vite/bin/vite.js'),
      'build',
      '--config',
      'web/vite.config.ts',
      '--logLevel',
      'warn',
    ],
    {
      cwd: root,
      stdio: 'inherit',
    },
  );
  process.exit(res.status ?? 1);
}
