// What the browser tests share: Debian's Chromium through playwright-core (no browser is ever
// downloaded), the artifacts folder, and one line per check with a count at the end.
import { chromium } from 'playwright-core';
import { mkdirSync } from 'node:fs';

export const ARTIFACTS = process.env.ARTIFACTS || 'e2e-artifacts';
mkdirSync(ARTIFACTS, { recursive: true });

const counts = { passed: 0, failed: 0 };
export function check(ok, what, detail = '') {
  if (ok) counts.passed++; else counts.failed++;
  console.log(`${ok ? 'ok' : 'FAIL'}: ${what}${ok || !detail ? '' : ' — ' + detail}`);
}

export function launch() {
  return chromium.launch({
    executablePath: '/usr/bin/chromium',
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
           '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}

// Prints "[label: ]N passed, N failed" and exits non-zero on any failure.
export function finish(label = '') {
  console.log(`${label ? label + ': ' : ''}${counts.passed} passed, ${counts.failed} failed`);
  process.exit(counts.failed ? 1 : 0);
}
