// The approver web queue in headless Chromium (Debian's /usr/bin/chromium via playwright-core; no browser
// is ever downloaded). Started by run_e2e.py, which provides a running lab: PREFLIGHT_URL, the accounts'
// passwords (PREFLIGHT_PASSWORDS) and five held mails (E2E-APPROVE, E2E-SCOPE, E2E-XSS, E2E-JIS, E2E-BCC).
// Prints one line per check and "N passed, N failed"; exits non-zero on any failure.
import path from 'node:path';
import { ARTIFACTS, check, finish, launch } from './harness.mjs';

const BASE = process.env.PREFLIGHT_URL;
const PASSWORDS = JSON.parse(process.env.PREFLIGHT_PASSWORDS || '{}');

const browser = await launch();

// A fresh browser context (own cookies) signed in as `user`; collects dialogs so that a script that
// ran would be noticed.
async function signIn(user, locale = 'en-US') {
  const context = await browser.newContext({ locale, viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  page.dialogs = [];
  page.on('dialog', async (d) => { page.dialogs.push(d.message()); await d.dismiss(); });
  await page.goto(`${BASE}/login`);
  await page.fill('input[name=user]', user);
  await page.fill('input[name=password]', PASSWORDS[user]);
  await Promise.all([page.waitForURL(/\/queue/), page.click('button[type=submit]')]);
  return { context, page };
}

async function search(page, text) {
  await page.fill('#search', text);
  await Promise.all([page.waitForURL(/q=/), page.click('#apply')]);
  return page.locator('#queue a.subject');
}

async function idOf(page, text) {
  const r = await page.request.get(`${BASE}/api/held?q=${encodeURIComponent(text)}`);
  const list = await r.json();
  return list.rows && list.rows.length === 1 ? list.rows[0].id : null;
}

async function csrfOf(page) {
  return (await (await page.request.get(`${BASE}/api/me`)).json()).csrf;
}

// (1) an approver finds the mail by searching, opens it, sees the reasons and approves it.
async function approveFlow() {
  const { context, page } = await signIn('boss');
  const links = await search(page, 'E2E-APPROVE');
  check(await links.count() === 1, 'search finds the held mail');
  await page.screenshot({ path: path.join(ARTIFACTS, 'queue.png'), fullPage: true });
  await Promise.all([page.waitForURL(/\/held\//), links.first().click()]);
  const reasons = await page.textContent('#reasons');
  check(reasons.includes('Mail to a partner: the supervisor approves'), 'message page shows the reason', reasons);
  check((await page.textContent('main')).includes('yamada@partner.example.com'), 'message page shows the recipient');
  check(await page.locator('.mark.ext').count() > 0, 'external recipient is marked');
  check(await page.locator('#approve-bcc').count() === 0, 'no Bcc choice where the policy does not offer it');
  await page.screenshot({ path: path.join(ARTIFACTS, 'message.png'), fullPage: true });
  await page.fill('textarea[name=comment]', 'Checked the quote');
  await Promise.all([page.waitForURL(/done=1/), page.click('#approve')]);
  check((await page.textContent('#state')).includes('approved'), 'state is approved after approving');
  check((await page.textContent('#audit')).includes('Checked the quote'), 'audit trail shows the decision');
  await page.goto(`${BASE}/dashboard`);
  check(await page.locator('svg.chart').count() === 3, 'dashboard shows three charts');
  await page.screenshot({ path: path.join(ARTIFACTS, 'dashboard.png'), fullPage: true });
  await context.close();
}

// The policy offers Bcc for this mail: the approver sees which addresses it hides and chooses it.
async function approveAsBcc() {
  const { context, page } = await signIn('boss');
  const links = await search(page, 'E2E-BCC');
  check(await links.count() === 1, 'search finds the mail to three companies');
  await Promise.all([page.waitForURL(/\/held\//), links.first().click()]);
  const note = await page.textContent('#bcc-note');
  check(['yamada@partner.example.com', 'suzuki@another.example.net', 'sato@third.example.org']
    .every((a) => note.includes(a)) && !note.includes('hanako@'), 'Bcc choice lists the outside addresses only', note);
  const resembles = await page.locator('.rcpts .resembles').first().textContent();
  check(resembles.includes('example.co.jp (suffix)'), 'a look-alike mark says what it resembles', resembles);
  await page.screenshot({ path: path.join(ARTIFACTS, 'message-bcc.png'), fullPage: true });
  await page.fill('textarea[name=comment]', 'Fine, but as Bcc');
  await Promise.all([page.waitForURL(/done=1/), page.click('#approve-bcc')]);
  check((await page.textContent('#state')).includes('approved'), 'approved as Bcc');
  check((await page.textContent('#audit')).includes('approve as bcc'), 'audit trail records the Bcc choice');
  await context.close();
}

// The queue sorts by the chosen column: by subject ascending, "Contract…" comes before "Quote…".
async function sorting() {
  const { context, page } = await signIn('boss');
  await page.selectOption('#sort', 'subject');
  await page.selectOption('#order', 'asc');
  await Promise.all([page.waitForURL(/sort=subject/), page.click('#apply')]);
  const subjects = await page.locator('#queue a.subject').allTextContents();
  const sorted = [...subjects].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  check(subjects.length >= 3 && subjects.join('|') === sorted.join('|'), 'queue sorted by subject', subjects.join('|'));
  const api = await (await page.request.get(`${BASE}/api/held?sort=department&order=asc`)).json();
  check(api.rows.length === api.total && api.total >= 3, 'API sorts by department', String(api.total));
  await context.close();
}

// (2) an approver outside the sender's scope neither sees nor decides the mail, in the UI or the API.
async function scope() {
  const boss = await signIn('boss');
  const id = await idOf(boss.page, 'E2E-SCOPE');
  check(id !== null, 'the approver in scope sees the mail in the API');
  await boss.context.close();
  const { context, page } = await signIn('other');
  check(await (await search(page, 'E2E-SCOPE')).count() === 0, 'out-of-scope approver: not in the queue');
  const direct = await page.goto(`${BASE}/held/${id}`);
  check(direct.status() === 404, 'out-of-scope approver: message page is 404', String(direct.status()));
  const api = await page.request.get(`${BASE}/api/held/${id}`);
  check(api.status() === 404, 'out-of-scope approver: API message is 404');
  const list = await (await page.request.get(`${BASE}/api/held?q=E2E-SCOPE`)).json();
  check(list.total === 0, 'out-of-scope approver: API list is empty');
  const post = await page.request.post(`${BASE}/api/held/${id}/approve`, {
    headers: { 'X-CSRF-Token': await csrfOf(page) }, data: { comment: 'not mine' } });
  check(post.status() === 404, 'out-of-scope approver: API approve is refused', String(post.status()));
  await context.close();
  return id;
}

// (3) a POST without the CSRF token is refused; (later) wrong passwords are rate-limited.
async function csrf(id) {
  const { context, page } = await signIn('boss');
  const api = await page.request.post(`${BASE}/api/held/${id}/approve`, { data: { comment: 'x' } });
  check(api.status() === 403, 'API POST without X-CSRF-Token is 403', String(api.status()));
  const form = await page.request.post(`${BASE}/held/${id}/decide`, { form: { action: 'approve' } });
  check(form.status() === 403, 'form POST without csrf field is 403', String(form.status()));
  const wrong = await page.request.post(`${BASE}/api/held/${id}/approve`, { headers: { 'X-CSRF-Token': 'f'.repeat(64) } });
  check(wrong.status() === 403, 'API POST with a wrong token is 403');
  const state = (await (await page.request.get(`${BASE}/api/held/${id}`)).json()).state;
  check(state === 'held', 'the mail is still held after the refused POSTs', state);
  await context.close();
}

async function rateLimit() {
  const context = await browser.newContext();
  const page = await context.newPage();
  const statuses = [];
  for (let i = 0; i < 6; i++) {
    await page.goto(`${BASE}/login`);
    await page.fill('input[name=user]', 'audit');
    await page.fill('input[name=password]', i < 5 ? 'wrong-password' : PASSWORDS.audit);
    const [response] = await Promise.all([page.waitForResponse((r) => r.url().endsWith('/login') &&
      r.request().method() === 'POST'), page.click('button[type=submit]')]);
    statuses.push(response.status());
  }
  check(statuses.slice(0, 5).every((s) => s === 401), 'wrong passwords are 401', statuses.join(','));
  check(statuses[5] === 429, 'after 5 failures even the right password is 429', statuses.join(','));
  await context.close();
}

// (4) <script> in subject, display name and an HTML body is shown as text and never runs.
async function inert() {
  const { context, page } = await signIn('boss');
  const links = await search(page, 'E2E-XSS');
  check(await links.count() === 1, 'search finds the mail with scripts');
  await Promise.all([page.waitForURL(/\/held\//), links.first().click()]);
  await page.waitForTimeout(300);
  check(await page.evaluate(() => window.__xss === undefined), 'no script from the mail ran');
  check(page.dialogs.length === 0, 'no dialog appeared', page.dialogs.join(','));
  check((await page.textContent('#subject')).includes("<script>alert('subject')"), 'subject shown as text');
  check((await page.textContent('#sender')).includes("<script>alert('name')"), 'display name shown as text');
  check(await page.locator('main script, main img').count() === 0, 'no script or img element from the mail');
  check((await page.textContent('#body')).includes('Hello'), 'HTML body shown as plain text');
  await page.screenshot({ path: path.join(ARTIFACTS, 'inert.png'), fullPage: true });
  await context.close();
}

// (5) the Japanese UI: labels in Japanese, the ISO-2022-JP subject decoded; the switch goes to English.
async function japanese() {
  const { context, page } = await signIn('boss', 'ja-JP');
  check((await page.textContent('h1')) === '保留キュー', 'Japanese heading', await page.textContent('h1'));
  check((await page.textContent('#apply')) === '絞り込む', 'Japanese button label');
  const links = await search(page, 'E2E-JIS');
  check(await links.count() === 1 && (await links.first().textContent()).includes('見積書の送付'),
        'ISO-2022-JP subject decoded in the queue');
  await page.screenshot({ path: path.join(ARTIFACTS, 'queue-ja.png'), fullPage: true });
  await Promise.all([page.waitForURL(/\/held\//), links.first().click()]);
  check((await page.textContent('#subject')).includes('見積書の送付 E2E-JIS'), 'decoded subject on the message page');
  check((await page.textContent('#body')).includes('見積書をお送りします'), 'ISO-2022-JP body decoded');
  check((await page.textContent('main')).includes('保留の理由'), 'Japanese section label');
  await page.screenshot({ path: path.join(ARTIFACTS, 'message-ja.png'), fullPage: true });
  // The switch comes back to the same URL, so wait for the new document rather than for the URL.
  await page.click('#lang-switch');
  await page.waitForSelector('html[lang=en]');
  check((await page.textContent('main')).includes('Why it was held'), 'language switch to English');
  await context.close();
}

// Bulk decisions from the queue page: two of the held mails selected and rejected together.
async function bulk() {
  const { context, page } = await signIn('boss');
  await search(page, 'E2E-');
  for (const tag of ['E2E-XSS', 'E2E-JIS'])
    await page.locator('#queue tr', { hasText: tag }).locator('input.pick').check();
  await page.fill('#bulk input[name=comment]', 'Not to partners');
  await Promise.all([page.waitForURL(/\/queue$/), page.click('#bulk-reject')]);
  for (const tag of ['E2E-XSS', 'E2E-JIS']) {
    const row = (await (await page.request.get(`${BASE}/api/held?q=${tag}`)).json()).rows[0];
    check(row && row.state === 'rejected', `bulk reject: ${tag} is rejected`, row && row.state);
  }
  const scope = (await (await page.request.get(`${BASE}/api/held?q=E2E-SCOPE`)).json()).rows[0];
  check(scope.state === 'held', 'bulk reject: the unselected mail stays held');
  await context.close();
}

// Security headers on the pages.
async function headers() {
  const context = await browser.newContext();
  const r = await context.request.get(`${BASE}/login`);
  const csp = r.headers()['content-security-policy'] || '';
  check(csp.includes("script-src 'self'") && !csp.includes('unsafe'), 'CSP allows only own scripts', csp);
  check(r.headers()['x-frame-options'] === 'DENY', 'X-Frame-Options DENY');
  await context.close();
}

try {
  await approveFlow();
  await approveAsBcc();
  await sorting();
  const id = await scope();
  await csrf(id);
  await inert();
  await japanese();
  await bulk();
  await headers();
  await rateLimit();
} catch (e) {
  check(false, 'unexpected error', e.stack);
} finally {
  await browser.close();
}
finish();
