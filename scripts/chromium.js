import fs from 'node:fs';

/** The Chromium binary for browser tests: PATRON_CHROMIUM, or Debian's /usr/bin/chromium. */
export function findChromium() {
  const candidates = [process.env.PATRON_CHROMIUM, '/usr/bin/chromium', '/usr/bin/chromium-browser'];
  return candidates.find((p) => p && fs.existsSync(p));
}
