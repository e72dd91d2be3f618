// Attachments sent as links, in headless Chromium (Debian's /usr/bin/chromium via playwright-core).
// Started by run_e2e.py with FILE_LINK (the recipient's download link), REVOKE_LINK (from the sender's
// notice), FILE_NAME and FILE_SHA256 (of the bytes that were attached). Opens the link page, downloads the
// file with the button and compares name and bytes; then revokes the links and checks the page offers no
// download any more. Prints one line per check; exits non-zero on any failure.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { ARTIFACTS, check, finish, launch } from './harness.mjs';

const browser = await launch();
try {
  const context = await browser.newContext({ acceptDownloads: true, locale: 'ja-JP' });
  const page = await context.newPage();
  check(Boolean(process.env.FILE_LINK) && Boolean(process.env.REVOKE_LINK), 'the mail and the notice carry links');

  const response = await page.goto(process.env.FILE_LINK);
  check(response.status() === 200, 'the link page opens', `HTTP ${response.status()}`);
  check((await page.textContent('body')).includes(process.env.FILE_NAME), 'the page shows the Japanese file name');
  await page.screenshot({ path: path.join(ARTIFACTS, 'detach-file.png') });

  const [download] = await Promise.all([page.waitForEvent('download'), page.click('button[type=submit]')]);
  check(download.suggestedFilename() === process.env.FILE_NAME, 'the download keeps the Japanese file name',
        download.suggestedFilename());
  const saved = path.join(ARTIFACTS, 'detach-download.bin');
  await download.saveAs(saved);
  const sha = createHash('sha256').update(readFileSync(saved)).digest('hex');
  check(sha === process.env.FILE_SHA256, 'the downloaded bytes are the attached bytes', sha);

  const revoke = await context.newPage();
  await revoke.goto(process.env.REVOKE_LINK);
  check((await revoke.textContent('body')).includes(process.env.FILE_NAME), 'the revoke page lists the file');
  await Promise.all([revoke.waitForLoadState(), revoke.click('button[type=submit]')]);
  await revoke.waitForSelector('h1');
  check((await revoke.textContent('h1')).includes('取り消しました'), 'the links are revoked');

  const after = await context.newPage();
  await after.goto(process.env.FILE_LINK);
  check(await after.locator('button[type=submit]').count() === 0, 'after revocation the page offers no download');
  await after.screenshot({ path: path.join(ARTIFACTS, 'detach-revoked.png') });
} finally {
  await browser.close();
}
finish('detach');
