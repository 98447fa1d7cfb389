#!/usr/bin/env node
// `npm test`: every suite, in order —
//   0. typecheck and lint (npm run check);
//   1. unit and route tests on the embedded database;
//   2. the same suites on a PostgreSQL server when TEST_DATABASE_URL is set (CI sets it), plus the
//      multi-process tests that only a server can run;
//   3. browser tests in Chromium (PATRON_CHROMIUM or /usr/bin/chromium). Without a browser they are
//      skipped with a note — unless CI=true, where a missing browser fails the run.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { findChromium } from './chromium.js';

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
const vitest = path.join(root, 'node_modules/vitest/vitest.mjs');
const totals = { passed: 0, failed: 0, skipped: 0 };
let ok = true;

function runVitest(label, args, env) {
  console.log(`\n=== ${label} ===`);
  const report = path.join(os.tmpdir(), `patron-vitest-${process.pid}-${Date.now()}.json`);
  const res = spawnSync(
    process.execPath,
    [vitest, 'run', '--reporter=default', '--reporter=json', `--outputFile.json=${report}`, ...args],
    { cwd: root, stdio: 'inherit', env: { ...process.env, ...env } },
  );
  if (res.status !== 0) ok = false;
  try {
    const r = JSON.parse(fs.readFileSync(report, 'utf8'));
    totals.passed += r.numPassedTests;
    totals.failed += r.numFailedTests;
    totals.skipped += r.numPendingTests + (r.numTodoTests ?? 0);
    fs.rmSync(report, { force: true });
  } catch {
    // no report: vitest failed before running; already counted as not ok
  }
}

console.log('=== typecheck and lint ===');
const check = spawnSync('npm', ['run', '--silent', 'check'], { cwd: root, stdio: 'inherit' });
if (check.status !== 0) {
  console.error('typecheck or lint failed (npm run check)');
  ok = false;
}

const serverUrl = process.env.TEST_DATABASE_URL;
runVitest('unit and route tests — embedded database', [], { TEST_DATABASE_URL: '' });
if (serverUrl) {
  runVitest(`unit, route and multi-process tests — PostgreSQL server`, [], { TEST_DATABASE_URL: serverUrl });
} else {
  console.log(
    '\nTEST_DATABASE_URL is not set: the PostgreSQL-server run and multi-process tests are skipped.',
  );
}

const chromium = findChromium();
if (!chromium) {
  const how = 'Install it (Debian/Ubuntu: apt-get install -y chromium) or set PATRON_CHROMIUM to its path.';
  if (process.env.CI === 'true') {
    console.error(`\nNo Chromium found and CI=true: the browser tests cannot be skipped. ${how}`);
    ok = false;
  } else {
    console.log(`\nNo Chromium found: browser tests skipped. ${how}`);
  }
} else {
  const build = spawnSync(process.execPath, [path.join(root, 'scripts/ensure-web-build.js')], {
    cwd: root,
    stdio: 'inherit',
  });
  if (build.status !== 0) ok = false;
  else
    runVitest('browser tests — Chromium', ['--config', 'e2e/vitest.config.ts'], {
      PATRON_CHROMIUM: chromium,
    });
}

console.log(`\ntests: ${totals.passed} passed, ${totals.failed} failed, ${totals.skipped} skipped`);
process.exit(ok && totals.failed === 0 ? 0 : 1);
