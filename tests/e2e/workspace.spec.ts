// The council workspace: a finance officer signs in, sees the accounts that need a look
// first, reviews flagged spending, and the decision reaches the person's phone; an
// auditor can read but not change anything. Every screen passes an axe check.
import AxeBuilder from '@axe-core/playwright';
import { Browser, Locator, Page } from '@playwright/test';
import { createHmac } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test, expect } from './fixtures';

const WCAG_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'];
const OFFICER = { email: 'finance.officer@demo.invalid', password: 'demo-officer-password' };
const AUDITOR = { email: 'auditor@demo.invalid', password: 'demo-auditor-password' };

/** What an authenticator app shows for a base32 secret at `atMs` (RFC 6238: SHA-1,
 *  30-second steps, 6 digits). */
function authenticatorCode(secret: string, atMs = Date.now()): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  let bits = '';
  for (const c of secret.replace(/[\s=]/g, '').toUpperCase()) bits += alphabet.indexOf(c).toString(2).padStart(5, '0');
  const key: number[] = [];
  for (let i = 0; i + 8 <= bits.length; i += 8) key.push(parseInt(bits.slice(i, i + 8), 2));
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(Math.floor(atMs / 30_000)));
  const mac = createHmac('sha1', Buffer.from(key)).update(counter).digest();
  const offset = mac[mac.length - 1] & 15;
  return String((mac.readUInt32BE(offset) & 0x7fffffff) % 1_000_000).padStart(6, '0');
}

async function officerPage(browser: Browser): Promise<Page> {
  const context = await browser.newContext();
  return context.newPage();
}

async function signIn(page: Page, url: string, who: { email: string; password: string }) {
  await page.goto(`${url}council`);
  await expect(page.getByRole('heading', { level: 1, name: 'Sign in to the council workspace' })).toBeVisible();
  await page.getByLabel('Email address').fill(who.email);
  await page.getByLabel('Password').fill(who.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Accounts' })).toBeVisible();
}

/** Clicks a download link; the file's name and its text. */
async function download(page: Page, link: Locator): Promise<{ name: string; text: string }> {
  const [file] = await Promise.all([page.waitForEvent('download'), link.click()]);
  return { name: file.suggestedFilename(), text: (await (await file.createReadStream()).toArray()).join('') };
}

async function checkAccessibility(page: Page) {
  for (const width of [1280, 320]) {
    await page.setViewportSize({ width, height: 900 });
    const results = await new AxeBuilder({ page }).withTags(WCAG_TAGS).analyze();
    expect(results.violations.map((v) => `${v.id}: ${v.help}`), `at ${width} px`).toEqual([]);
    const sideways = await page.evaluate(() => document.documentElement.scrollWidth > document.documentElement.clientWidth);
    expect(sideways, `nothing scrolls sideways at ${width} px`).toBe(false);
  }
  await page.setViewportSize({ width: 1280, height: 900 });
}

test('the wallet and the council workspace are separate downloads: a person never loads the staff screens', async ({ browser, page, council, wallet }) => {
  const walletFiles: string[] = [];
  page.on('request', (request) => walletFiles.push(new URL(request.url()).pathname));
  await wallet.open(council.url);
  await wallet.pair(council.pairingCode);
  await expect(wallet.syncStatus).toContainText('All saved to the council');
  // The first screen's small build, then (once paired) the wallet's.
  expect(walletFiles.filter((path) => path.endsWith('.wasm'))).toEqual([
    expect.stringMatching(/^\/welcome\/tally-welcome-[0-9a-f]+_bg\.wasm$/),
    expect.stringMatching(/^\/tally-[0-9a-f]+_bg\.wasm$/),
  ]);
  expect(walletFiles.filter((path) => path.startsWith('/council'))).toEqual([]);

  const officer = await officerPage(browser);
  const workspaceFiles: string[] = [];
  officer.on('request', (request) => workspaceFiles.push(new URL(request.url()).pathname));
  await signIn(officer, council.url, OFFICER);
  expect(workspaceFiles.filter((path) => path.endsWith('.wasm'))).toEqual([expect.stringMatching(/^\/council\/tally-workspace-[0-9a-f]+_bg\.wasm$/)]);
  // A workspace address opened directly (a bookmark, a reload) is the workspace.
  await officer.goto(`${council.url}council/reviews`);
  await expect(officer.getByRole('heading', { level: 1, name: 'Review queue' })).toBeVisible();
  await expect(officer).toHaveTitle('Review queue — Tally');
  await officer.context().close();
});

test('a finance officer reviews flagged spending and the question reaches the person\'s phone', async ({ browser, page, council, wallet }) => {
  // What the installed app's icon is told to show (the Badging API).
  await page.addInitScript(() => {
    const shown: number[] = [];
    (window as unknown as { badges: number[] }).badges = shown;
    Object.assign(navigator, {
      setAppBadge: (n?: number) => { shown.push(n ?? 0); return Promise.resolve(); },
      clearAppBadge: () => { shown.push(0); return Promise.resolve(); },
    });
  });
  // The person logs £60 with no receipt: flagged.
  await wallet.open(council.url);
  await wallet.pair(council.pairingCode);
  await wallet.logSpend({ amount: '60', payee: 'Corner Shop', planLine: 'Day centre' });
  await expect(wallet.syncStatus).toContainText('All saved to the council', { timeout: 20_000 });

  const officer = await officerPage(browser);
  await officer.goto(`${council.url}council`);
  await checkAccessibility(officer);
  // A wrong password is explained, and the email typed is kept.
  await officer.getByLabel('Email address').fill(OFFICER.email);
  await officer.getByLabel('Password').fill('not the password');
  await officer.getByRole('button', { name: 'Sign in' }).click();
  await expect(officer.getByRole('alert').filter({ hasText: 'There is a problem' })).toContainText('do not match');
  await expect(officer.getByLabel('Email address')).toHaveValue(OFFICER.email);
  await officer.getByLabel('Password').fill(OFFICER.password);
  await officer.getByRole('button', { name: 'Sign in' }).click();
  await expect(officer.getByRole('heading', { level: 1, name: 'Accounts' })).toBeVisible();

  // Exceptions first: Alex's account, with the flag, above Pat's.
  const accounts = officer.getByRole('table', { name: 'Accounts' }).getByRole('row').filter({ has: officer.getByRole('rowheader') });
  await expect(accounts.first()).toContainText('Alex Morgan · DP-000001');
  await expect(accounts.first()).toContainText('1 flagged spend to review');
  await checkAccessibility(officer);
  await officer.getByLabel('Search by name or reference').fill('DP-000002');
  await officer.getByRole('button', { name: 'Search' }).click();
  await expect(officer.getByRole('status').filter({ hasText: 'account' })).toHaveText('1 account');
  await expect(accounts.first()).toContainText('Pat Morgan');

  // The review queue: the reason, and a question back to the person.
  await officer.getByRole('navigation', { name: 'Workspace' }).getByRole('link', { name: 'Review queue' }).click();
  const row = officer.getByRole('table', { name: 'Flagged spending' }).getByRole('row').filter({ hasText: 'Corner Shop' });
  await expect(row).toContainText('Receipt needed');
  await row.getByRole('button', { name: 'Details of £60.00 to Corner Shop — Alex Morgan (DP-000001)' }).click();
  const item = officer.getByRole('region', { name: '£60.00 to Corner Shop — Alex Morgan (DP-000001)' });
  await expect(item).toContainText('Receipt needed');
  await checkAccessibility(officer);
  await item.getByRole('button', { name: 'Record decision' }).click();
  await expect(item.getByRole('alert')).toContainText('Choose approve, ask a question or not allowed');
  await item.getByRole('radio', { name: 'Ask the person a question' }).check();
  await item.getByLabel('Note to the person (needed for a question)').fill('Do you have the receipt from the shop?');
  await item.getByRole('button', { name: 'Record decision' }).click();
  await expect(officer.getByRole('status').filter({ hasText: 'Question sent' })).toBeVisible();
  await expect(item).toContainText('Question asked; waiting for the person\'s answer');

  // The phone hears back by itself when the person comes back to the app (and every few
  // minutes while it is open): Home lists the question first, and the icon shows 1.
  const badge = () => page.evaluate(() => (window as unknown as { badges: number[] }).badges.at(-1));
  await expect.poll(badge).toBe(0);
  await page.evaluate(() => window.dispatchEvent(new Event('focus')));
  const toExplain = page.getByRole('region', { name: 'Needs your explanation' });
  await expect(toExplain).toContainText('The council has asked you a question about this.', { timeout: 20_000 });
  await expect.poll(badge).toBe(1);

  // The account page: the audit trail, devices, and a new pairing code.
  await officer.getByRole('navigation', { name: 'Workspace' }).getByRole('link', { name: 'Accounts' }).click();
  await officer.getByRole('link', { name: 'Alex Morgan · DP-000001' }).click();
  await expect(officer.getByRole('heading', { level: 1, name: 'Alex Morgan (DP-000001)' })).toBeVisible();
  await expect(officer.getByRole('region', { name: 'Audit trail' })).toContainText('Sam Patel · review decision: asked a question about spending');
  await expect(officer.getByRole('region', { name: 'Audit trail' }).getByRole('listitem').filter({ hasText: 'review decision' })).toHaveCount(1);
  await expect(officer.getByRole('region', { name: 'Devices' })).toContainText('1 records');
  await officer.getByRole('button', { name: 'Issue a pairing code' }).click();
  await expect(officer.getByRole('status').filter({ hasText: 'Pairing code:' })).toContainText(/Pairing code: [A-Z0-9]{4}-[A-Z0-9]{4}/);
  await checkAccessibility(officer);

  // Signing out ends the session.
  await officer.getByRole('button', { name: 'Sign out' }).click();
  await expect(officer.getByRole('heading', { level: 1, name: 'Sign in to the council workspace' })).toBeVisible();
  await officer.reload();
  await expect(officer.getByRole('heading', { level: 1, name: 'Sign in to the council workspace' })).toBeVisible();
  await officer.context().close();
});

test('a finance officer works through a caseload a page at a time, filters it, and decides several flags at once', async ({ browser, council }) => {
  test.setTimeout(180_000);
  // Three months of records each: pages of flags to work through, seeded in a few seconds
  // (a year each would keep the machine busy for the tests running beside this one).
  await council.seedCaseload(60, 90);
  const officer = await officerPage(browser);
  await signIn(officer, council.url, OFFICER);

  // The accounts list: a table, a page at a time, with how many there are.
  const accounts = officer.getByRole('table', { name: 'Accounts' });
  await expect(officer.getByRole('status').filter({ hasText: /accounts$/ })).toHaveText('62 accounts');
  await expect(accounts.getByRole('rowheader')).toHaveCount(50);
  await expect(officer.getByText('Showing 1 to 50')).toBeVisible();
  await checkAccessibility(officer);
  await officer.getByRole('navigation', { name: 'Pages of accounts' }).getByRole('link', { name: 'Next page' }).click();
  await expect(officer.getByText('Showing 51 to 62')).toBeVisible();
  await expect(accounts.getByRole('rowheader')).toHaveCount(12);
  await expect(officer).toHaveURL(/after=/);
  await officer.getByRole('navigation', { name: 'Pages of accounts' }).getByRole('link', { name: 'Previous page' }).click();
  await expect(officer.getByText('Showing 1 to 50')).toBeVisible();
  // A filter is kept in the address: a reload (or a bookmark) shows the same list.
  await officer.getByLabel('Show', { exact: true }).selectOption({ label: 'Flagged spending to review' });
  await officer.getByRole('button', { name: 'Search' }).click();
  await expect(officer).toHaveURL(/exception=flags/);
  await expect(accounts.getByRole('row').filter({ hasText: 'Nothing' })).toHaveCount(0);
  await officer.reload();
  await expect(officer.getByLabel('Show', { exact: true })).toHaveValue('flags');
  await expect(accounts.getByRole('rowheader').first()).toBeVisible();

  // The review queue: a table of the oldest flags first, with the count.
  await officer.getByRole('navigation', { name: 'Workspace' }).getByRole('link', { name: 'Review queue' }).click();
  const count = officer.getByRole('status').filter({ hasText: /flagged spends? to review$|matches the filter/ });
  await expect(count).toHaveText(/^\d+ flagged spends to review$/);
  const total = Number((await count.textContent())!.split(' ')[0]);
  expect(total).toBeGreaterThan(100);
  const table = officer.getByRole('table', { name: 'Flagged spending' });
  await expect(table.getByRole('button', { name: /^Details of / })).toHaveCount(50);
  await checkAccessibility(officer);
  await officer.getByRole('navigation', { name: 'Pages of the review queue' }).getByRole('link', { name: 'Next page' }).click();
  await expect(officer.getByText('Showing 51 to 100')).toBeVisible();
  await expect(count).toHaveText(`${total} flagged spends to review`);

  // Filtered by flag and amount: only those, and the filter in the address.
  await officer.getByLabel('Flag', { exact: true }).selectOption({ label: 'Receipt needed' });
  await officer.getByLabel('Smallest amount (£)').fill('60');
  await officer.getByLabel('Largest amount (£)').fill('70');
  await officer.getByRole('button', { name: 'Apply filters' }).click();
  await expect(officer).toHaveURL(/rule=receipt_missing/);
  await expect(officer).toHaveURL(/min=60&max=70/);
  await expect(officer).not.toHaveURL(/after=/);
  await expect(officer.getByText('Showing 1 to')).toBeVisible();
  const filtered = Number((await count.textContent())!.split(' ')[0]);
  expect(filtered).toBeGreaterThan(3);
  expect(filtered).toBeLessThan(total);
  const amounts = await table.getByRole('row').locator('td.num').allTextContents();
  expect(amounts.length).toBeGreaterThan(0);
  for (const amount of amounts) {
    const pounds = Number(amount.replace(/[£,]/g, ''));
    expect(pounds).toBeGreaterThanOrEqual(60);
    expect(pounds).toBeLessThanOrEqual(70);
  }

  // Three chosen and approved with one note.
  const many = officer.getByRole('region', { name: 'Decide on the chosen spends' });
  await many.getByRole('button', { name: 'Record decision for the chosen spends' }).click();
  await expect(many.getByRole('alert')).toContainText('Choose the spends to decide on, in the table');
  const choices = table.getByRole('checkbox', { name: /^Choose £/ });
  for (const i of [0, 1, 2]) await choices.nth(i).check();
  await expect(many).toContainText('3 spends chosen');
  await many.getByRole('radio', { name: 'Approve' }).check();
  await many.getByLabel('Note to each person (needed for a question)').fill('Small amounts at the usual places: approved.');
  await many.getByRole('button', { name: 'Record decision for the chosen spends' }).click();
  await expect(officer.getByRole('status').filter({ hasText: 'Approved 3 spends.' })).toBeVisible();
  await expect(count).toHaveText(`${filtered - 3} flagged spends to review`);
  await expect(many).toContainText('Choose spends in the table');
  await checkAccessibility(officer);

  // One opened, read and decided on its own.
  const first = table.getByRole('button', { name: /^Details of / }).first();
  const name = (await first.textContent())!.replace(/^Details of /, '');
  await first.click();
  await expect(first).toHaveAttribute('aria-expanded', 'true');
  const spend = officer.getByRole('region', { name });
  await expect(spend).toContainText('Receipt needed');
  await spend.getByRole('radio', { name: 'Not allowed' }).check();
  await spend.getByRole('button', { name: 'Record decision' }).click();
  await expect(officer.getByRole('status').filter({ hasText: 'Marked not allowed.' })).toBeVisible();
  await expect(count).toHaveText(`${filtered - 4} flagged spends to review`);
  await expect(officer.getByRole('region', { name })).toHaveCount(0);

  // The filter survives a reload, and clearing it shows the whole queue again.
  await officer.reload();
  await expect(officer.getByLabel('Flag', { exact: true })).toHaveValue('receipt_missing');
  await expect(count).toHaveText(`${filtered - 4} flagged spends to review`);
  await officer.getByRole('link', { name: 'Clear filters' }).click();
  await expect(count).toHaveText(`${total - 4} flagged spends to review`);
  await officer.context().close();
});

test('a read-only auditor sees the accounts and the queue but cannot change anything', async ({ browser, council, wallet }) => {
  await wallet.open(council.url);
  await wallet.pair(council.pairingCode);
  await wallet.logSpend({ amount: '75', payee: 'Corner Shop', planLine: 'Day centre' });
  // And one with a receipt photo, which the council sees with the spending.
  await wallet.goTo('Log spending');
  await wallet.fillSpend({ amount: '60', payee: 'Sunrise Day Centre', planLine: 'Day centre' });
  await wallet.form.getByLabel('Or choose a photo').setInputFiles(join(__dirname, '..', 'fixtures', 'receipt.jpg'));
  await expect(wallet.form.getByRole('img', { name: 'Receipt photo 1' })).toBeVisible();
  await wallet.form.getByRole('button', { name: 'Save spending' }).click();
  await expect(wallet.saved).toContainText('Saved £60.00 to Sunrise Day Centre');
  await wallet.goTo('Home');
  await expect(wallet.syncStatus).toContainText('All saved to the council', { timeout: 20_000 });

  const auditor = await officerPage(browser);
  await signIn(auditor, council.url, AUDITOR);
  await expect(auditor.getByText('Jo Reid · read-only auditor · Demo Borough Council')).toBeVisible();
  await auditor.getByRole('link', { name: 'Review queue' }).click();
  await expect(auditor.getByRole('checkbox')).toHaveCount(0);
  await auditor.getByRole('button', { name: 'Details of £75.00 to Corner Shop — Alex Morgan (DP-000001)' }).click();
  const item = auditor.getByRole('region', { name: '£75.00 to Corner Shop — Alex Morgan (DP-000001)' });
  await expect(item).toContainText('Receipt needed');
  await expect(item.getByRole('button', { name: 'Record decision' })).toHaveCount(0);
  await auditor.getByRole('link', { name: 'Accounts' }).click();
  await auditor.getByRole('link', { name: 'Alex Morgan · DP-000001' }).click();
  await expect(auditor.getByRole('heading', { level: 1, name: 'Alex Morgan (DP-000001)' })).toBeVisible();
  await expect(auditor.getByRole('button', { name: 'Issue a pairing code' })).toHaveCount(0);
  await expect(auditor.getByRole('button', { name: /^Revoke/ })).toHaveCount(0);
  const photo = auditor.getByRole('region', { name: '£60.00 to Sunrise Day Centre' }).getByRole('img', { name: 'Receipt photo 1 (opens full size)' });
  await expect(photo).toBeVisible();
  await expect.poll(() => photo.evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth > 0)).toBe(true);
  await auditor.context().close();
});

test('an officer records money in and a surplus recovery that reach the phone, and downloads the audit sheet', async ({ browser, page, council, wallet }) => {
  await wallet.open(council.url);
  await wallet.pair(council.pairingCode);
  await expect(wallet.balance).toContainText('£1,480.00');

  const officer = await officerPage(browser);
  await signIn(officer, council.url, OFFICER);
  await officer.getByRole('link', { name: 'Alex Morgan · DP-000001' }).click();
  const money = officer.getByRole('region', { name: 'Money in and surplus' });

  // A mistake is explained beside the field, and what was typed is kept.
  await money.getByRole('radio', { name: 'The person (their contribution)' }).check();
  await money.getByLabel('Amount paid in').fill('52.005');
  await money.getByRole('button', { name: 'Record money in' }).click();
  await expect(money.getByRole('alert').filter({ hasText: 'There is a problem' })).toBeVisible();
  await expect(money.getByLabel('Amount paid in')).toHaveValue('52.005');
  await money.getByLabel('Amount paid in').fill('52');
  await money.getByLabel('Reference of this payment (optional)').fill('Contribution, week 1');
  // A double press records it once (the audit sheet below would show £52 twice).
  await money.getByRole('button', { name: 'Record money in' }).dblclick();
  await expect(officer.getByRole('status').filter({ hasText: 'Recorded £52 paid in' })).toBeVisible();

  await money.getByLabel('Amount to recover').fill('32');
  await money.getByLabel('Reason (the person will see it)').fill('Agreed at the review');
  await money.getByRole('button', { name: 'Record recovery' }).click();
  await expect(officer.getByRole('status').filter({ hasText: 'Recovery recorded' })).toBeVisible();
  await expect(officer.getByRole('region', { name: 'Audit trail' })).toContainText('surplus recovered');
  await checkAccessibility(officer);

  // The audit sheet for the period, as the council's finance team uses it.
  const exports = officer.getByRole('region', { name: 'Audit sheet and exports' });
  const { name, text: sheet } = await download(officer, exports.getByRole('link', { name: 'Download the audit sheet for this account (CSV)' }));
  expect(name).toMatch(/^audit-sheet-DP-000001-\d{4}-\d{2}-\d{2}-to-\d{4}-\d{2}-\d{2}\.csv$/);
  expect(sheet).toContain('Person,Alex Morgan\r\n');
  expect(sheet).toContain('Total in,1532.00\r\n');
  expect(sheet).toContain('Total out,32.00\r\n');
  expect(sheet).toContain('Closing balance,1500.00\r\n');
  await expect(exports.getByRole('status').filter({ hasText: 'Downloaded' })).toHaveText(new RegExp(`^Downloaded ${name.replace(/\./g, '\\.')} \\(\\d+ (bytes|KB)\\)\\.$`));

  // The same sheet as a page to read or print.
  await exports.getByRole('link', { name: 'Open the audit sheet for this account to read or print' }).click();
  await expect(officer.getByRole('heading', { level: 1, name: /^Audit sheet: Alex Morgan \(DP-000001\)/ })).toBeVisible();
  await expect(officer.getByRole('main')).toContainText('Closing balance£1,500.00');
  const sheetLines = officer.getByRole('table', { name: /^Transactions/ }).getByRole('row');
  await expect(sheetLines.filter({ hasText: 'Agreed at the review' })).toContainText('32.00');
  await expect(officer.getByRole('button', { name: 'Print the audit sheet' })).toBeVisible();
  await checkAccessibility(officer);

  // The person's phone: £1,480 + £52 − £32.
  await wallet.syncNow();
  await expect(wallet.balance).toContainText('£1,500.00', { timeout: 20_000 });
  await officer.context().close();
});

test('safeguarding signals show the figures to officers, who record what they found', async ({ browser, council, wallet }) => {
  await wallet.open(council.url);
  await wallet.pair(council.pairingCode);
  await wallet.logSpend({ amount: '1,200', payee: 'New Helper Ltd', planLine: 'Personal assistant hours' });
  await expect(wallet.syncStatus).toContainText('All saved to the council', { timeout: 20_000 });
  // The person is never shown the signal.
  await expect(wallet.page.getByText(/safeguarding/i)).toHaveCount(0);

  const officer = await officerPage(browser);
  await signIn(officer, council.url, OFFICER);
  await officer.getByRole('navigation', { name: 'Workspace' }).getByRole('link', { name: 'Safeguarding' }).click();
  const signal = officer.getByRole('region', { name: 'A new payee, New Helper Ltd, received a large amount: Alex Morgan (DP-000001)' });
  await expect(signal).toContainText('received £1,200.00 in their first 4 weeks');
  await expect(signal).toContainText('Not looked at yet.');
  await checkAccessibility(officer);
  await signal.getByRole('radio', { name: 'Looked at, no concern' }).check();
  await signal.getByLabel('Note (optional)').fill('A new agency, agreed at the review.');
  // A double press records it once (without the one-at-a-time guard it sends two).
  await signal.getByRole('button', { name: 'Record' }).dblclick();
  await expect(officer.getByRole('status').filter({ hasText: 'never shown to the person' })).toBeVisible();
  await expect(signal).toContainText('Sam Patel looked at, no concern: A new agency, agreed at the review.');
  await expect(signal.getByRole('listitem').filter({ hasText: 'looked at, no concern' })).toHaveCount(1);
  await officer.context().close();
});

test('an officer imports a bank statement: problems are named by line and column, then lines are matched to logged spending', async ({ browser, council, wallet }) => {
  await wallet.open(council.url);
  await wallet.pair(council.pairingCode);
  await wallet.logSpend({ amount: '45', payee: 'Sunrise Day Centre', planLine: 'Day centre', date: '2026-11-03' });
  await expect(wallet.syncStatus).toContainText('All saved to the council', { timeout: 20_000 });

  const officer = await officerPage(browser);
  await signIn(officer, council.url, OFFICER);
  await officer.getByRole('link', { name: 'Alex Morgan · DP-000001' }).click();
  const statements = officer.getByRole('region', { name: 'Statements' });
  await expect(statements).toContainText('No statements imported yet.');
  await expect(statements.getByLabel('Format')).toHaveValue('Bank statement (sample format)');

  // A file with mistakes: each named, and nothing imported.
  const good = readFileSync(join(__dirname, '..', 'fixtures', 'statements', 'bank-statement.csv'), 'utf8');
  const broken = good.replace('05/11/2026', '35/11/2026').replace('240.00', 'two hundred');
  await statements.getByLabel('Statement file (CSV)').setInputFiles({ name: 'november.csv', mimeType: 'text/csv', buffer: Buffer.from(broken) });
  await statements.getByRole('button', { name: 'Import and match' }).click();
  const problem = statements.getByRole('alert');
  await expect(problem).toContainText('Nothing was imported');
  await expect(problem).toContainText('Line 4, column "Date": "35/11/2026" is not a date');
  await expect(problem).toContainText('Line 5, column "Money out": "two hundred" is not an amount');
  await expect(statements).toContainText('No statements imported yet.');

  await statements.getByLabel('Statement file (CSV)').setInputFiles({ name: 'november.csv', mimeType: 'text/csv', buffer: Buffer.from(good) });
  await statements.getByRole('button', { name: 'Import and match' }).click();
  await expect(officer.getByRole('heading', { level: 1, name: 'Statement 1 November 2026 to 12 November 2026' })).toBeVisible();
  await expect(officer.getByRole('status').filter({ hasText: 'Imported 5 lines; 1 matched' })).toBeVisible();
  const lines = officer.getByRole('list', { name: 'Statement lines' }).getByRole('listitem');
  const sunrise = lines.filter({ hasText: 'SUNRISE DAY CENTRE' });
  await expect(sunrise).toContainText(/Matched \(certain\)|Proposed match/);
  await expect(sunrise).toContainText('£45.00 to Sunrise Day Centre on 3 November 2026');
  const reconciliation = officer.getByRole('region', { name: 'Reconciliation' });
  await expect(reconciliation).toContainText('Still open:');
  await expect(reconciliation).toContainText('4 statement lines match no logged record: ask the person about them.');
  await expect(reconciliation.getByRole('button', { name: 'Close the period' })).toHaveCount(0);
  await checkAccessibility(officer);

  // Unmatch, then match again by hand.
  await sunrise.getByRole('button', { name: 'Unmatch line 3' }).click();
  await expect(officer.getByRole('status').filter({ hasText: 'Line 3 unmatched.' })).toBeVisible();
  await expect(sunrise).toContainText('No logged record');
  await sunrise.getByRole('button', { name: 'Match line 3 with -£45.00 to Sunrise Day Centre on 3 November 2026' }).click();
  await expect(sunrise).toContainText('Matched (confirmed): -£45.00 to Sunrise Day Centre');
  await officer.getByRole('link', { name: 'Back to account DP-000001' }).click();
  await expect(officer.getByRole('region', { name: 'Audit trail' })).toContainText('statement imported');
  await officer.context().close();
});

test('a statement line with no record becomes a question in the person\'s wallet, answered by logging the spending or explaining', async ({ browser, council, wallet }) => {
  await wallet.open(council.url);
  await wallet.pair(council.pairingCode);
  await expect(wallet.syncStatus).toContainText('All saved to the council', { timeout: 20_000 });

  const officer = await officerPage(browser);
  await signIn(officer, council.url, OFFICER);
  await officer.getByRole('link', { name: 'Alex Morgan · DP-000001' }).click();
  const statements = officer.getByRole('region', { name: 'Statements' });
  const file = readFileSync(join(__dirname, '..', 'fixtures', 'statements', 'bank-statement.csv'), 'utf8');
  await statements.getByLabel('Statement file (CSV)').setInputFiles({ name: 'november.csv', mimeType: 'text/csv', buffer: Buffer.from(file) });
  await statements.getByRole('button', { name: 'Import and match' }).click();
  await expect(officer.getByRole('heading', { level: 1, name: 'Statement 1 November 2026 to 12 November 2026' })).toBeVisible();
  const lines = officer.getByRole('list', { name: 'Statement lines' }).getByRole('listitem');
  const shop = lines.filter({ hasText: 'CORNER SHOP' });
  const taxis = lines.filter({ hasText: 'CITY TAXIS LTD' });
  await shop.getByRole('button', { name: 'Ask the person about line 6' }).click();
  await expect(officer.getByRole('status').filter({ hasText: 'Line 6: the person has been asked' })).toBeVisible();
  await expect(shop).toContainText('Asked the person: waiting for their answer');
  await taxis.getByRole('button', { name: 'Ask the person about line 4' }).click();
  await expect(taxis).toContainText('Asked the person: waiting for their answer');
  await checkAccessibility(officer);

  // The person sees both questions at home and answers the first by logging the spending.
  await wallet.syncNow();
  const questions = wallet.page.getByRole('region', { name: 'Questions from the council' });
  await expect(questions.getByRole('link')).toHaveCount(2, { timeout: 20_000 });
  await questions.getByRole('link', { name: '£8.75 paid to CORNER SHOP on 12 November 2026' }).click();
  await expect(wallet.heading('A question from the council')).toBeVisible();
  await expect(wallet.page.getByRole('main')).toContainText('Waiting for your answer');
  await wallet.page.getByRole('link', { name: 'Log this spending' }).click();
  await expect(wallet.heading('Log spending')).toBeVisible();
  await expect(wallet.form.getByRole('note')).toContainText('You are logging the payment your council asked about: £8.75 to CORNER SHOP on 12 November 2026');
  await expect(wallet.form.getByLabel('Amount')).toHaveValue('8.75');
  await expect(wallet.form.getByLabel('Date')).toHaveValue('2026-11-12');
  await expect(wallet.form.getByLabel('Who was paid')).toHaveValue('CORNER SHOP');
  await wallet.form.getByLabel('Support plan line').selectOption({ label: 'Day centre' });
  await wallet.form.getByRole('button', { name: 'Save spending' }).click();
  await expect(wallet.saved).toContainText('It is sent to the council as your answer to their question.');

  // The second, money the person cannot match to spending: they explain it.
  await wallet.goTo('Home');
  await questions.getByRole('link', { name: '£12.50 paid to CITY TAXIS LTD on 5 November 2026' }).click();
  await wallet.page.getByRole('button', { name: 'Send answer' }).click();
  await expect(wallet.page.getByText('Write your answer: what the payment was for.')).toBeVisible();
  await wallet.page.getByLabel('Your answer').fill('A taxi to the day centre when the bus did not come.');
  await wallet.page.getByRole('button', { name: 'Send answer' }).click();
  await expect(wallet.page.getByRole('status').filter({ hasText: 'Your answer is saved' })).toBeVisible();
  await expect(wallet.page.getByRole('main')).toContainText('Answered: waiting for the council to read it');
  await checkAccessibility(wallet.page);
  await wallet.goTo('Home');
  await expect(wallet.syncStatus).toContainText('All saved to the council', { timeout: 20_000 });

  // The officer finds both answers in the review queue, and the spending proposed for
  // its line.
  await officer.getByRole('navigation', { name: 'Workspace' }).getByRole('link', { name: 'Review queue' }).click();
  const answers = officer.getByRole('region', { name: 'Answers to statement questions' });
  await expect(answers.getByRole('listitem')).toHaveCount(2);
  await expect(answers).toContainText('A taxi to the day centre when the bus did not come.');
  await checkAccessibility(officer);
  await answers.getByRole('link', { name: /line 6, -£8\.75 CORNER SHOP/ }).click();
  await expect(officer.getByRole('heading', { level: 1, name: 'Statement 1 November 2026 to 12 November 2026' })).toBeVisible();
  await expect(shop).toContainText('The person has answered');
  await expect(shop).toContainText('Proposed match: please check: -£8.75 to CORNER SHOP on 12 November 2026');
  await shop.getByRole('button', { name: 'Confirm line 6' }).click();
  await expect(shop).toContainText('Matched (confirmed)');
  await expect(shop).toContainText('Question closed: answer accepted');
  await expect(taxis).toContainText('A taxi to the day centre when the bus did not come.');
  await taxis.getByRole('button', { name: 'Ask again about line 4' }).click();
  await expect(taxis.getByText('Write the question for the person')).toBeVisible();
  await taxis.getByRole('button', { name: 'Accept the answer about line 4' }).click();
  await expect(officer.getByRole('status').filter({ hasText: 'Line 4: answer accepted.' })).toBeVisible();
  await expect(taxis).toContainText('Question closed: answer accepted');

  // Back on the phone, both questions are closed and gone from home.
  await wallet.goTo('Home');
  await wallet.syncNow();
  await expect(questions).toHaveCount(0, { timeout: 20_000 });
  await officer.context().close();
});

test('council figures for a period are shown in words, a chart and a table, and as CSV', async ({ browser, council, wallet }) => {
  await wallet.open(council.url);
  await wallet.pair(council.pairingCode);
  await wallet.logSpend({ amount: '25', payee: 'Sunrise Day Centre', planLine: 'Day centre' });
  await expect(wallet.syncStatus).toContainText('All saved to the council', { timeout: 20_000 });

  const officer = await officerPage(browser);
  await signIn(officer, council.url, AUDITOR);
  await officer.getByRole('navigation', { name: 'Workspace' }).getByRole('link', { name: 'Figures' }).click();
  await expect(officer.getByRole('heading', { level: 1, name: 'Council figures' })).toBeVisible();
  const figures = officer.getByRole('main');
  await expect(figures).toContainText('People on direct payments2');
  await expect(figures).toContainText('Paid in by the council£2,000.00');
  await expect(figures).toContainText('Spent£25.00');
  await expect(figures).toContainText('Spending within the plan100% (£25.00)');
  await expect(officer.getByRole('table', { name: 'Paid in and spent each month' })).toContainText('£2,000.00');
  await checkAccessibility(officer);
  const { text: csv } = await download(officer, officer.getByRole('link', { name: 'Download these figures (CSV)' }));
  expect(csv).toContain('People on direct payments,2\r\n');
  // Saved byte for byte: the byte-order mark that lets spreadsheets read "£" is kept.
  expect(csv.charCodeAt(0)).toBe(0xfeff);
  await officer.context().close();
});

test('an administrator changes the policy and an officer adds a plan line; the person\'s phone follows both', async ({ browser, page, council, wallet }) => {
  await wallet.open(council.url);
  await wallet.pair(council.pairingCode);
  await expect(wallet.syncStatus).toContainText('All saved to the council');

  // An officer may read the policy but not change it.
  const officer = await officerPage(browser);
  await signIn(officer, council.url, OFFICER);
  await officer.getByRole('navigation', { name: 'Workspace' }).getByRole('link', { name: 'Policy' }).click();
  await expect(officer.getByRole('main')).toContainText('Only an administrator can change the policy.');

  // The officer adds a line to Alex's plan from today.
  await officer.getByRole('navigation', { name: 'Workspace' }).getByRole('link', { name: 'Accounts' }).click();
  await officer.getByRole('link', { name: 'Alex Morgan · DP-000001' }).click();
  const plan = officer.getByRole('region', { name: 'Support plan' });
  await plan.getByText('Change the plan from a date').click();
  const added = plan.getByRole('group', { name: 'Add a line (optional)' });
  await added.getByLabel('Name').fill('Help in the garden');
  await added.getByLabel('Budget (£)').fill('40');
  await added.getByLabel('How often').selectOption({ label: 'Monthly' });
  await plan.getByRole('button', { name: 'Save the new plan version' }).click();
  await expect(officer.getByRole('status').filter({ hasText: 'The new plan version is saved' })).toBeVisible();
  await expect(officer.getByRole('region', { name: 'Support plan' })).toContainText('Help in the garden: £40.00 a month');
  await checkAccessibility(officer);
  await officer.context().close();

  // The administrator lowers the receipt threshold to £20.
  const admin = await officerPage(browser);
  await signIn(admin, council.url, { email: 'administrator@demo.invalid', password: 'demo-admin-password' });
  await admin.getByRole('navigation', { name: 'Workspace' }).getByRole('link', { name: 'Policy' }).click();
  await admin.getByLabel('Receipts needed for spending of').fill('20');
  await admin.getByRole('button', { name: 'Save the policy' }).click();
  await expect(admin.getByRole('status').filter({ hasText: 'The policy is saved' })).toBeVisible();
  await checkAccessibility(admin);
  await admin.context().close();

  // The phone takes both at its next sync: the new line, and receipts from £20.
  await wallet.syncNow();
  await expect(wallet.syncStatus).toContainText('All saved to the council', { timeout: 20_000 });
  await wallet.goTo('Log spending');
  await wallet.fillSpend({ amount: '30', payee: 'Green Fingers', planLine: 'Help in the garden' });
  await expect(wallet.form.getByRole('region', { name: 'Before you save' })).toContainText('Receipt needed');
});

test('an officer saves the column mapping of another provider and imports a statement in it', async ({ browser, council }) => {
  const officer = await officerPage(browser);
  await signIn(officer, council.url, OFFICER);
  await officer.getByRole('link', { name: 'Alex Morgan · DP-000001' }).click();
  const statements = officer.getByRole('region', { name: 'Statements' });
  // The bank's file as it comes: the account above the header, amounts written DR and
  // CR, two-digit years and a closing balance line below the lines.
  const file = Buffer.from([
    'Sort code 08-90-00 Account 12345678',
    'Date,Details,Value,Balance',
    '20/11/26,CORNER SHOP,3.10 DR,996.90 CR',
    '21/11/26,PHARMACY,1.00 DR,995.90 CR',
    'Closing balance,,,995.90 CR',
    '',
  ].join('\r\n'));
  await statements.getByText('Add a format for another provider').click();
  await statements.getByLabel('A file from this provider (CSV)').setInputFiles({ name: 'mystery.csv', mimeType: 'text/csv', buffer: file });
  await statements.getByRole('button', { name: 'Propose the columns from the file' }).click();
  const reads = statements.getByRole('region', { name: 'How the file reads' });
  await expect(reads).toContainText('Line 3: -£3.10 CORNER SHOP on 20 November 2026');
  await expect(reads).toContainText('Line 4: -£1.00 PHARMACY on 21 November 2026');
  await expect(statements.getByLabel('Date column')).toHaveValue('Date');
  await expect(statements.getByLabel('Dates are written like')).toHaveValue('day_month_short_year');
  await expect(statements.getByLabel('Amount column (or money out, with two columns)')).toHaveValue('Value');
  await expect(statements.getByLabel('Payee or merchant column')).toHaveValue('Details');
  await expect(statements.getByLabel('Balance column (optional)')).toHaveValue('Balance');
  await statements.getByLabel('Name (for example the bank\'s name)').fill('Mystery Bank');
  // A column the file does not have is caught before anything is saved.
  await statements.getByLabel('Amount column (or money out, with two columns)').fill('Amount');
  await statements.getByRole('button', { name: 'Save the format' }).click();
  await expect(statements.getByRole('alert')).toContainText('The amount column, "Amount", is not one of the file\'s columns.');
  await statements.getByLabel('Amount column (or money out, with two columns)').fill('Value');
  await statements.getByRole('button', { name: 'Save the format' }).click();
  await expect(statements.getByRole('status').filter({ hasText: 'The format "Mystery Bank" is saved' })).toBeVisible();
  await checkAccessibility(officer);

  await statements.getByLabel('Format').selectOption({ label: 'Mystery Bank' });
  await statements.getByLabel('Statement file (CSV)').setInputFiles({ name: 'mystery.csv', mimeType: 'text/csv', buffer: file });
  await statements.getByRole('button', { name: 'Import and match' }).click();
  await expect(officer.getByRole('heading', { level: 1, name: 'Statement 20 November 2026 to 21 November 2026' })).toBeVisible();
  const lines = officer.getByRole('list', { name: 'Statement lines' });
  await expect(lines).toContainText('Line 3: -£3.10 CORNER SHOP');
  await expect(lines).toContainText('Line 4: -£1.00 PHARMACY');
  await officer.context().close();
});

test('an officer imports a card programme feed for two people, accepts its fee and sees a refund matched', async ({ browser, council }) => {
  const officer = await officerPage(browser);
  await signIn(officer, council.url, OFFICER);
  const day = (back: number) => {
    const d = new Date(Date.now() - back * 86_400_000);
    return { iso: d.toISOString().slice(0, 10), uk: d.toISOString().slice(0, 10).split('-').reverse().join('/') };
  };
  // Alex's card, as the programme writes it, is added to Alex's account.
  await officer.getByRole('link', { name: 'Alex Morgan · DP-000001' }).click();
  const cards = officer.getByRole('region', { name: 'Cards on feeds' });
  await cards.getByLabel('Card number or reference, as the feed writes it').fill('**** 4321');
  await cards.getByRole('button', { name: 'Add the card' }).click();
  await expect(cards.getByRole('status')).toContainText('"**** 4321" is added');
  await expect(cards.getByRole('listitem')).toContainText('**** 4321');
  // Argos gave Alex £30 back: the officer records the refund.
  const money = officer.getByRole('region', { name: 'Money in and surplus' });
  await money.getByLabel('A payee giving money back (a refund)').check();
  await money.getByLabel('Date paid in').fill(day(1).iso);
  await money.getByLabel('Amount paid in').fill('30');
  await money.getByLabel('Who gave the money back').fill('Argos');
  await money.getByRole('button', { name: 'Record money in' }).click();
  await expect(officer.getByRole('status').filter({ hasText: 'Recorded £30 refunded' })).toBeVisible();

  // The programme's feed: Alex's card, Pat's account reference, and a card on no account.
  const lines = [
    'Card Number,Transaction Date,Transaction Type,Merchant Name,Amount,Fee,Currency',
    `**** 4321,${day(3).uk},POS PURCHASE,ARGOS,-30.00,0.00,GBP`,
    `**** 4321,${day(2).uk},ATM WITHDRAWAL,LINK ATM,-20.00,-1.50,GBP`,
    `**** 4321,${day(1).uk},REFUND,ARGOS,30.00,0.00,GBP`,
    `DP-000002,${day(3).uk},POS PURCHASE,CORNER SHOP,-4.20,0.00,GBP`,
    `**** 9999,${day(2).uk},POS PURCHASE,SOMEONE ELSE,-1.00,0.00,GBP`,
  ];
  const feed = (rows: string[]) => ({ name: 'feed.csv', mimeType: 'text/csv', buffer: Buffer.from(rows.join('\r\n') + '\r\n') });
  await officer.getByRole('navigation', { name: 'Workspace' }).getByRole('link', { name: 'Card feeds' }).click();
  await expect(officer.getByRole('heading', { level: 1, name: 'Card feeds' })).toBeVisible();
  await officer.getByText('Add a format for another provider').click();
  await officer.getByLabel('A file from this provider (CSV)').setInputFiles(feed(lines));
  await officer.getByRole('button', { name: 'Propose the columns from the file' }).click();
  await expect(officer.getByRole('region', { name: 'How the file reads' })).toContainText('Line 3: -£20.00 LINK ATM');
  await expect(officer.getByLabel('Card or account column, for a feed covering many cardholders (optional)')).toHaveValue('Card Number');
  await expect(officer.getByLabel('Fee column: a fee charged with the line besides its amount (optional)')).toHaveValue('Fee');
  await officer.getByLabel('Name (for example the bank\'s name)').fill('Programme feed');
  await officer.getByRole('button', { name: 'Save the format' }).click();
  await expect(officer.getByRole('status').filter({ hasText: 'The format "Programme feed" is saved' })).toBeVisible();
  await checkAccessibility(officer);

  // A card on no account: nothing is imported, and its line is named.
  await officer.getByLabel('Format').selectOption({ label: 'Programme feed' });
  await officer.getByLabel('Feed file (CSV)').setInputFiles(feed(lines));
  await officer.getByRole('button', { name: 'Import the feed' }).click();
  await expect(officer.getByRole('alert').filter({ hasText: 'Line 6' })).toContainText('Line 6, column "Card Number": "**** 9999" is not the reference of an account');
  await officer.getByLabel('Feed file (CSV)').setInputFiles(feed(lines.slice(0, 5)));
  await officer.getByRole('button', { name: 'Import the feed' }).click();
  const imported = officer.getByRole('region', { name: 'Imported on 2 accounts' });
  await expect(imported).toContainText('Pat Morgan (DP-000002), card DP-000002: 1 line,');
  await imported.getByRole('link', { name: /Alex Morgan \(DP-000001\), card \*\*\*\* 4321: 3 lines/ }).click();

  // Alex's statement: the refund line matches the refund; the ATM fee is accepted.
  const statementLines = officer.getByRole('list', { name: 'Statement lines' });
  await expect(statementLines.getByRole('listitem').filter({ hasText: 'Line 4: £30.00 ARGOS' })).toContainText('£30.00 to Argos');
  const atm = statementLines.getByRole('listitem').filter({ hasText: 'Line 3: -£20.00 LINK ATM' });
  await expect(atm).toContainText('With a fee of £1.50: not recorded as a charge yet.');
  await expect(officer.getByRole('region', { name: 'Reconciliation' })).toContainText('1 fee the provider charged is not recorded');
  await checkAccessibility(officer);
  await officer.getByRole('region', { name: 'The provider\'s fees' }).getByRole('button', { name: 'Accept the fee as a charge' }).click();
  await expect(officer.getByRole('status').filter({ hasText: 'Recorded 1 fee of £1.50 as charges.' })).toBeVisible();
  await expect(atm).toContainText('With a fee of £1.50: recorded as a charge.');
  await expect(officer.getByRole('region', { name: 'Reconciliation' })).not.toContainText('fee the provider charged');
  await officer.context().close();
});

test('an administrator gives a new member of staff access by a one-time link, and they choose their own password', async ({ browser, council }) => {
  const admin = await officerPage(browser);
  await signIn(admin, council.url, { email: 'administrator@demo.invalid', password: 'demo-admin-password' });
  await admin.getByRole('navigation', { name: 'Workspace' }).getByRole('link', { name: 'Staff' }).click();
  await expect(admin.getByRole('list', { name: 'Staff with access' }).getByRole('listitem')).toHaveCount(3);
  const add = admin.getByRole('region', { name: 'Give someone access' });
  await add.getByLabel('Name').fill('Ravi Shah');
  await add.getByLabel('Work email address').fill('ravi');
  await add.getByLabel('Role').selectOption({ label: 'Read-only auditor' });
  await add.getByRole('button', { name: 'Give access' }).click();
  await expect(add.getByRole('alert').filter({ hasText: 'There is a problem' })).toContainText('Enter their work email address');
  await add.getByLabel('Work email address').fill('ravi.shah@demo.invalid');
  await add.getByRole('button', { name: 'Give access' }).click();
  await expect(admin.getByRole('status').filter({ hasText: 'Ravi Shah is added' })).toBeVisible();
  await expect(admin.getByRole('list', { name: 'Staff with access' })).toContainText('Ravi Shah · ravi.shah@demo.invalid · Read-only auditor');
  const link = await admin.getByRole('region', { name: 'One-time link' }).getByLabel('Link for Ravi Shah').inputValue();
  expect(link).toContain('/council/set-password#');
  await checkAccessibility(admin);

  // Ravi opens the link on their own computer and chooses a password.
  const ravi = await officerPage(browser);
  await ravi.goto(link);
  await expect(ravi.getByRole('heading', { name: 'Choose your password' })).toBeVisible();
  await expect(ravi.getByText('For Ravi Shah (ravi.shah@demo.invalid) at Demo Borough Council.')).toBeVisible();
  // The secret leaves the address bar once read.
  await expect(ravi).toHaveURL(/\/council\/set-password$/);
  await ravi.getByLabel('New password', { exact: true }).fill('short');
  await ravi.getByRole('button', { name: 'Set my password' }).click();
  await expect(ravi.getByRole('alert').filter({ hasText: 'There is a problem' })).toContainText('at least 12 characters');
  await ravi.getByLabel('New password', { exact: true }).fill('otter meadow candle');
  await ravi.getByLabel('Type the new password again').fill('otter meadow candle');
  await checkAccessibility(ravi);
  await ravi.getByRole('button', { name: 'Set my password' }).click();
  await expect(ravi.getByRole('status').filter({ hasText: 'Your password is set' })).toBeVisible();
  await ravi.getByRole('link', { name: 'Go to sign in' }).click();
  await expect(ravi).toHaveURL(/\/council$/);
  await ravi.getByLabel('Email address').fill('ravi.shah@demo.invalid');
  await ravi.getByLabel('Password').fill('otter meadow candle');
  await ravi.getByRole('button', { name: 'Sign in' }).click();
  await expect(ravi.getByText('Ravi Shah · read-only auditor · Demo Borough Council')).toBeVisible();
  // An auditor is not shown the staff page.
  await expect(ravi.getByRole('navigation', { name: 'Workspace' }).getByRole('link', { name: 'Staff' })).toHaveCount(0);

  // The link works once.
  const again = await officerPage(browser);
  await again.goto(link);
  await expect(again.getByRole('alert')).toContainText('This link does not work');
  await again.context().close();

  // Ravi forgot it: the administrator makes a reset link; the new password replaces the old.
  await admin.getByRole('button', { name: 'Make a password reset link for Ravi Shah' }).click();
  await expect(admin.getByRole('status').filter({ hasText: 'A one-time link for Ravi Shah to choose a new password is below' })).toBeVisible();
  const linkField = admin.getByRole('region', { name: 'One-time link' }).getByLabel('Link for Ravi Shah');
  await expect(linkField).not.toHaveValue(link);
  const reset = await linkField.inputValue();
  await admin.context().close();
  const forgot = await officerPage(browser);
  await forgot.goto(reset);
  await expect(forgot.getByText('An administrator sent you this link to choose a new password')).toBeVisible();
  await forgot.getByLabel('New password', { exact: true }).fill('badger willow sonnet');
  await forgot.getByLabel('Type the new password again').fill('badger willow sonnet');
  await forgot.getByRole('button', { name: 'Set my password' }).click();
  await expect(forgot.getByRole('status').filter({ hasText: 'Your password is set' })).toBeVisible();
  await forgot.context().close();
  // Ravi's session from before the reset has ended.
  await ravi.reload();
  await expect(ravi.getByRole('heading', { name: 'Sign in to the council workspace' })).toBeVisible();
  await ravi.context().close();
});

test('a council set up from the command line: its first administrator chooses a password by link, sets up two-factor sign-in, then signs in with a code', async ({ browser, council }) => {
  const link = council.createCouncil('Northshire County Council', 'dana.okafor@northshire.invalid', 'Dana Okafor');
  const dana = await officerPage(browser);
  await dana.goto(link);
  await expect(dana.getByText('For Dana Okafor (dana.okafor@northshire.invalid) at Northshire County Council.')).toBeVisible();
  await dana.getByLabel('New password', { exact: true }).fill('heron lantern quarry');
  await dana.getByLabel('Type the new password again').fill('heron lantern quarrx');
  await dana.getByRole('button', { name: 'Set my password' }).click();
  await expect(dana.getByRole('alert').filter({ hasText: 'There is a problem' })).toContainText('The two passwords are not the same');
  await dana.getByLabel('Type the new password again').fill('heron lantern quarry');
  await dana.getByRole('button', { name: 'Set my password' }).click();
  await dana.getByRole('link', { name: 'Go to sign in' }).click();

  // An administrator sets up two-factor sign-in before anything else.
  await dana.getByLabel('Email address').fill('dana.okafor@northshire.invalid');
  await dana.getByLabel('Password').fill('heron lantern quarry');
  await dana.getByRole('button', { name: 'Sign in' }).click();
  await expect(dana.getByRole('heading', { level: 1, name: 'Set up two-factor sign-in' })).toBeVisible();
  await expect(dana.getByRole('navigation', { name: 'Workspace' }).getByRole('link', { name: 'Accounts' })).toBeVisible();
  await dana.getByRole('button', { name: 'Set up two-factor sign-in' }).click();
  await expect(dana.getByRole('img', { name: 'QR code of the secret, for an authenticator app' })).toBeVisible();
  const shown = await dana.getByText('If you cannot scan it, type this key into the app instead').textContent();
  const secret = (shown ?? '').split(':').pop()!.trim();
  expect(secret).toMatch(/^[A-Z2-7 ]{32,}$/);
  await dana.getByLabel('Code from the app').fill('000000' === authenticatorCode(secret) ? '111111' : '000000');
  await dana.getByRole('button', { name: 'Turn on two-factor sign-in' }).click();
  await expect(dana.getByRole('alert').filter({ hasText: 'There is a problem' })).toContainText('That code is not right');
  await checkAccessibility(dana);
  await dana.getByLabel('Code from the app').fill(authenticatorCode(secret));
  await dana.getByRole('button', { name: 'Turn on two-factor sign-in' }).click();
  await expect(dana.getByRole('status').filter({ hasText: 'Two-factor sign-in is on.' })).toBeVisible();
  const codes = dana.getByRole('list', { name: 'Recovery codes' }).getByRole('listitem');
  await expect(codes).toHaveCount(10);
  const recovery = (await codes.first().textContent()) ?? '';
  await dana.getByRole('button', { name: 'I have kept my recovery codes' }).click();
  await expect(dana.getByRole('heading', { level: 1, name: 'Accounts' })).toBeVisible();
  await expect(dana.getByText('Dana Okafor · administrator · Northshire County Council')).toBeVisible();
  // A new council: none of the demo's people, and only its own staff.
  await expect(dana.getByText('Alex Morgan')).toHaveCount(0);
  await dana.getByRole('navigation', { name: 'Workspace' }).getByRole('link', { name: 'Staff' }).click();
  await expect(dana.getByRole('list', { name: 'Staff with access' }).getByRole('listitem')).toHaveCount(1);
  await expect(dana.getByRole('list', { name: 'Staff with access' })).toContainText('two-factor sign-in (you)');

  // Signing in again asks for the code after the password. (The staff page has a "Work
  // email address" field too: wait for the sign-in page before typing.)
  await dana.getByRole('button', { name: 'Sign out' }).click();
  await expect(dana.getByRole('heading', { level: 1, name: 'Sign in to the council workspace' })).toBeVisible();
  await dana.getByLabel('Email address', { exact: true }).fill('dana.okafor@northshire.invalid');
  await dana.getByLabel('Password').fill('heron lantern quarry');
  await dana.getByRole('button', { name: 'Sign in' }).click();
  await expect(dana.getByRole('alert').filter({ hasText: 'There is a problem' })).toContainText('Enter the 6-digit code');
  // The next step's code: the one used to turn it on works only once.
  await dana.getByLabel('Code from your authenticator app').fill(authenticatorCode(secret, Date.now() + 30_000));
  await dana.getByRole('button', { name: 'Sign in' }).click();
  // Back on the page she signed out from.
  await expect(dana.getByRole('heading', { level: 1, name: 'Staff' })).toBeVisible();

  await dana.getByRole('navigation', { name: 'Workspace' }).getByRole('link', { name: 'Your account' }).click();
  await expect(dana.getByRole('region', { name: 'Two-factor sign-in' })).toContainText('Two-factor sign-in is on');
  const sessions = dana.getByRole('list', { name: 'Your sessions' }).getByRole('listitem');
  await expect(sessions).toHaveCount(1);
  await expect(sessions.first()).toContainText('(this one)');
  const form = dana.getByRole('region', { name: 'Change your password' });
  await form.getByLabel('Current password').fill('not my password');
  await form.getByLabel('New password', { exact: true }).fill('puffin gravel anthem');
  await form.getByLabel('Type the new password again').fill('puffin gravel anthem');
  await form.getByRole('button', { name: 'Change my password' }).click();
  await expect(form.getByRole('alert').filter({ hasText: 'There is a problem' })).toContainText('That is not your current password');
  await form.getByLabel('Current password').fill('heron lantern quarry');
  await form.getByRole('button', { name: 'Change my password' }).click();
  await expect(dana.getByRole('status').filter({ hasText: 'Your password is changed' })).toBeVisible();
  await checkAccessibility(dana);

  // A recovery code instead of the app (a lost phone).
  await dana.getByRole('button', { name: 'Sign out' }).click();
  await expect(dana.getByRole('heading', { level: 1, name: 'Sign in to the council workspace' })).toBeVisible();
  await dana.getByLabel('Email address', { exact: true }).fill('dana.okafor@northshire.invalid');
  await dana.getByLabel('Password', { exact: true }).fill('puffin gravel anthem');
  await dana.getByRole('button', { name: 'Sign in' }).click();
  await dana.getByLabel('Code from your authenticator app').fill(recovery);
  await dana.getByRole('button', { name: 'Sign in' }).click();
  await expect(dana.getByText('Dana Okafor · administrator · Northshire County Council')).toBeVisible();
  await dana.context().close();
});

test('an administrator downloads everything held about a person for a subject access request; an officer is not offered it', async ({ browser, council }) => {
  const officer = await officerPage(browser);
  await signIn(officer, council.url, OFFICER);
  await officer.getByRole('link', { name: 'Alex Morgan · DP-000001' }).click();
  await expect(officer.getByRole('region', { name: 'Audit sheet and exports' })).toBeVisible();
  await expect(officer.getByRole('link', { name: 'Download everything held about this person (zip)' })).toHaveCount(0);
  await officer.context().close();

  const admin = await officerPage(browser);
  await signIn(admin, council.url, { email: 'administrator@demo.invalid', password: 'demo-admin-password' });
  await admin.getByRole('link', { name: 'Alex Morgan · DP-000001' }).click();
  const exports = admin.getByRole('region', { name: 'Audit sheet and exports' });
  await checkAccessibility(admin);
  const [file] = await Promise.all([
    admin.waitForEvent('download'),
    exports.getByRole('link', { name: 'Download everything held about this person (zip)' }).click(),
  ]);
  expect(file.suggestedFilename()).toMatch(/^subject-access-DP-000001-\d{4}-\d{2}-\d{2}\.zip$/);
  const bytes = Buffer.concat(await (await file.createReadStream()).toArray());
  expect(bytes.subarray(0, 2).toString()).toBe('PK');
  expect(bytes.includes(Buffer.from('records.json'))).toBe(true);
  await expect(exports.getByRole('status').filter({ hasText: 'Downloaded subject-access-DP-000001' })).toBeVisible();
  await admin.context().close();
});

test('wrong passwords slow an officer down until an administrator lets them try again, and the audit log shows it all', async ({ browser, council }) => {
  // Someone keeps typing the wrong password for the officer (from this browser, where the
  // officer has never signed in).
  const officer = await officerPage(browser);
  await officer.goto(`${council.url}council`);
  for (let n = 0; n < 6; n++) {
    await officer.getByLabel('Email address').fill('finance.officer@demo.invalid');
    await officer.getByLabel('Password').fill(`wrong ${n}`);
    // Each answer arrives before the next try (a click while one is under way is ignored).
    await Promise.all([
      officer.waitForResponse((r) => r.url().endsWith('/api/v1/council/sign-in')),
      officer.getByRole('button', { name: 'Sign in' }).click(),
    ]);
    const summary = officer.getByRole('alert').filter({ hasText: 'There is a problem' });
    await expect(summary).toContainText(n < 5 ? 'do not match' : 'Too many wrong passwords');
  }
  await expect(officer.getByRole('alert').filter({ hasText: 'There is a problem' })).toContainText('ask an administrator to let you try again now');

  const admin = await officerPage(browser);
  await signIn(admin, council.url, { email: 'administrator@demo.invalid', password: 'demo-admin-password' });
  await admin.getByRole('navigation', { name: 'Workspace' }).getByRole('link', { name: 'Staff' }).click();
  await admin.getByRole('button', { name: 'Let Sam Patel try their password again now' }).click();
  await expect(admin.getByRole('status').filter({ hasText: 'Sam Patel can try their password again now.' })).toBeVisible();

  await officer.getByLabel('Password').fill('demo-officer-password');
  await officer.getByRole('button', { name: 'Sign in' }).click();
  await expect(officer.getByRole('heading', { level: 1, name: 'Accounts' })).toBeVisible();
  await officer.getByRole('link', { name: 'Alex Morgan · DP-000001' }).click();
  await expect(officer.getByRole('heading', { level: 1, name: 'Alex Morgan (DP-000001)' })).toBeVisible();

  // The administrator's audit log: the wrong passwords, the clearing, the look at Alex's
  // account; filtered by kind and by words.
  await admin.getByRole('navigation', { name: 'Workspace' }).getByRole('link', { name: 'Audit log' }).click();
  await expect(admin.getByRole('heading', { level: 1, name: 'Audit log' })).toBeVisible();
  const log = admin.getByRole('table', { name: 'Audit log' });
  await expect(log).toContainText('sign-in waits cleared');
  await expect(log.getByRole('row').filter({ hasText: 'account viewed' })).toContainText('DP-000001');
  const filters = admin.getByRole('search', { name: 'Filter the audit log' });
  await filters.getByLabel('Kind').selectOption('sign-in failed');
  await filters.getByRole('button', { name: 'Apply filters' }).click();
  await expect(admin).toHaveURL(/action=sign-in%20failed/);
  await expect(log.getByRole('row')).toHaveCount(1 + 5);
  await expect(log).toContainText('finance.officer@demo.invalid: wrong password');
  await filters.getByLabel('Words (a name, reference, email or address)').fill('nobody matches this');
  await filters.getByRole('button', { name: 'Apply filters' }).click();
  await expect(admin.getByRole('status').filter({ hasText: 'No line of the audit log matches the filter.' })).toBeVisible();
  await checkAccessibility(admin);
  // Not for an officer.
  await expect(officer.getByRole('navigation', { name: 'Workspace' }).getByRole('link', { name: 'Audit log' })).toHaveCount(0);
  await admin.context().close();
  await officer.context().close();
});

test('an officer opens an account for someone new, whose phone then pairs with it', async ({ browser, council, wallet }) => {
  const officer = await officerPage(browser);
  await signIn(officer, council.url, OFFICER);
  await officer.getByText('Open an account for someone new').click();
  await officer.getByLabel('The person\'s name').fill('Sam Rivers');
  await officer.getByLabel('Council reference').fill('DP-000001');
  await officer.getByRole('group', { name: 'The first plan line (add more by changing the plan)' }).getByLabel('Name').fill('Personal assistant hours');
  await officer.getByLabel('Budget (£)').fill('960');
  await officer.getByRole('button', { name: 'Open the account' }).click();
  await expect(officer.getByRole('alert').filter({ hasText: 'There is a problem' })).toContainText('There is already an account with reference DP-000001');
  await officer.getByLabel('Council reference').fill('DP-000123');
  await officer.getByLabel('An outcome in the person\'s own words (optional)').fill('Go swimming every week');
  await officer.getByRole('button', { name: 'Open the account' }).click();
  await expect(officer.getByRole('heading', { level: 1, name: 'Sam Rivers (DP-000123)' })).toBeVisible();
  await expect(officer.getByRole('status').filter({ hasText: 'Sam Rivers\'s account is open' })).toBeVisible();
  await checkAccessibility(officer);
  await officer.getByRole('button', { name: 'Issue a pairing code' }).click();
  const status = officer.getByRole('status').filter({ hasText: 'Pairing code:' });
  const code = (await status.textContent())!.match(/[A-Z0-9]{4}-[A-Z0-9]{4}/)![0];
  await officer.context().close();

  await wallet.open(council.url);
  await wallet.pair(code);
  await expect(wallet.heading('Sam Rivers')).toBeVisible();
  await wallet.goTo('Plan');
  await expect(wallet.page.getByRole('main')).toContainText('Go swimming every week');
});

test('an officer schedules regular payments in; the first, due today, reaches the phone at once', async ({ browser, page, council, wallet }) => {
  await wallet.open(council.url);
  await wallet.pair(council.pairingCode);
  await expect(wallet.balance).toContainText('£1,480.00');

  const officer = await officerPage(browser);
  await signIn(officer, council.url, OFFICER);
  await officer.getByRole('link', { name: 'Alex Morgan · DP-000001' }).click();
  const money = officer.getByRole('region', { name: 'Money in and surplus' });
  await money.getByLabel('Amount of each payment').fill('370');
  await money.getByLabel('Reference for these payments (optional)').fill('Four-weekly payment');
  await money.getByRole('button', { name: 'Schedule payments' }).click();
  await expect(officer.getByRole('status').filter({ hasText: 'Payments are scheduled' })).toBeVisible();
  const running = officer.getByRole('list', { name: 'Regular payments in' });
  await expect(running).toContainText('£370.00 every 4 weeks, next on');
  await checkAccessibility(officer);

  await wallet.syncNow();
  await expect(wallet.balance).toContainText('£1,850.00', { timeout: 20_000 });

  await running.getByRole('button', { name: /^Stop: £370\.00 every 4 weeks/ }).click();
  await expect(officer.getByRole('status').filter({ hasText: 'The schedule is stopped' })).toBeVisible();
  await expect(officer.getByRole('list', { name: 'Regular payments in' }).getByRole('listitem')).toHaveCount(0);
  await officer.context().close();
});

test('a period once closed keeps its figures: spending that arrives later is listed beside them until an officer has seen it', async ({ browser, council, wallet }) => {
  await wallet.open(council.url);
  await wallet.pair(council.pairingCode);
  await expect(wallet.syncStatus).toContainText('All saved to the council');

  // The bank statement for today: the council's first payment, which matches.
  const today = new Date();
  const dmy = `${String(today.getUTCDate()).padStart(2, '0')}/${String(today.getUTCMonth() + 1).padStart(2, '0')}/${today.getUTCFullYear()}`;
  const csv = `Date,Description,Reference,Money out,Money in,Balance\n${dmy},DEMO BOROUGH COUNCIL DP,DP-000001 PAYMENT,,"1,480.00","1,480.00"\n`;
  const officer = await officerPage(browser);
  await signIn(officer, council.url, OFFICER);
  await officer.getByRole('link', { name: 'Alex Morgan · DP-000001' }).click();
  const statements = officer.getByRole('region', { name: 'Statements' });
  await statements.getByLabel('Statement file (CSV)').setInputFiles({ name: 'today.csv', mimeType: 'text/csv', buffer: Buffer.from(csv) });
  await statements.getByRole('button', { name: 'Import and match' }).click();
  const reconciliation = officer.getByRole('region', { name: 'Reconciliation' });
  await reconciliation.getByRole('button', { name: 'Close the period' }).click();
  await expect(officer.getByRole('status').filter({ hasText: 'The period is closed and locked.' })).toBeVisible();
  await expect(reconciliation).toContainText('Closing (logged)£1,480.00');

  // The person's phone, offline until now, sends spending dated inside the period.
  await wallet.logSpend({ amount: '12.50', payee: 'City Taxis', planLine: 'Taxi to the day centre' });
  await expect(wallet.syncStatus).toContainText('All saved to the council');

  await officer.reload();
  await expect(reconciliation).toContainText('Closing (logged)£1,480.00');
  const late = officer.getByRole('region', { name: 'Arrived after the period was closed' });
  await expect(late).toContainText('spending of £12.50 to City Taxis on');
  await expect(late).toContainText('recorded by Alex Morgan');
  await checkAccessibility(officer);
  await officer.getByRole('link', { name: 'Back to account DP-000001' }).click();
  await expect(officer.getByRole('main')).toContainText('1 record arrived after the period was closed');
  await officer.goBack();
  await late.getByRole('button', { name: 'Mark these as seen' }).click();
  await expect(officer.getByRole('status').filter({ hasText: 'The late records are marked as seen.' })).toBeVisible();
  await expect(late).toContainText('· seen');
  await expect(late.getByRole('button', { name: 'Mark these as seen' })).toHaveCount(0);
  await officer.getByRole('link', { name: 'Back to account DP-000001' }).click();
  await expect(officer.getByRole('region', { name: 'Audit trail' })).toContainText('late records seen');
  await expect(officer.getByRole('main')).not.toContainText('arrived after the period was closed');
  await officer.context().close();
});

test('the account page read again after a change keeps what the officer is typing in its other forms', async ({ browser, council, wallet }) => {
  await wallet.open(council.url);
  await wallet.pair(council.pairingCode);
  await expect(wallet.balance).toContainText('£1,480.00');
  const officer = await officerPage(browser);
  await signIn(officer, council.url, OFFICER);
  await officer.getByRole('link', { name: 'Alex Morgan · DP-000001' }).click();
  const money = officer.getByRole('region', { name: 'Money in and surplus' });
  await expect(officer.getByRole('main')).toContainText('Balance£1,480.00');

  // The page is read again slowly (a busy server), while the officer carries on typing.
  await officer.route('**/api/v1/council/accounts/DP-000001', async (route) => {
    await new Promise((resolve) => setTimeout(resolve, 1500));
    await route.continue();
  });
  await money.getByLabel('Amount paid in').fill('52');
  await money.getByRole('button', { name: 'Record money in' }).click();
  await expect(officer.getByRole('status').filter({ hasText: 'Recorded £52 paid in' })).toBeVisible();
  await money.getByLabel('Amount to recover').fill('32');
  await money.getByLabel('Reason (the person will see it)').fill('Agreed at the review');
  await expect(officer.getByRole('main')).toContainText('Balance£1,532.00');
  await expect(money.getByLabel('Amount to recover')).toHaveValue('32');
  await expect(money.getByLabel('Reason (the person will see it)')).toHaveValue('Agreed at the review');
  await officer.unroute('**/api/v1/council/accounts/DP-000001');
  await money.getByRole('button', { name: 'Record recovery' }).click();
  await expect(officer.getByRole('status').filter({ hasText: 'Recovery recorded' })).toBeVisible();
  await expect(officer.getByRole('main')).toContainText('Balance£1,500.00');
  await officer.context().close();
});

test('an administrator makes an API client for a finance system, which reads the transactions export within its scopes until it is revoked', async ({ browser, council, playwright }) => {
  const admin = await officerPage(browser);
  await signIn(admin, council.url, { email: 'administrator@demo.invalid', password: 'demo-admin-password' });
  await admin.getByRole('link', { name: 'API clients' }).click();
  await expect(admin.getByRole('heading', { level: 1, name: 'API clients' })).toBeVisible();
  // Nothing named, nothing chosen: both problems are said.
  await admin.getByRole('checkbox', { name: 'Read accounts and figures' }).uncheck();
  await admin.getByRole('button', { name: 'Make the API client' }).click();
  await expect(admin.getByText('Enter what the client is').first()).toBeVisible();
  await expect(admin.getByText('Choose at least one thing the client may do').first()).toBeVisible();

  await admin.getByLabel('What it is').fill('Payments interface');
  await admin.getByRole('checkbox', { name: 'Read accounts and figures' }).check();
  await admin.getByRole('checkbox', { name: 'Download exports' }).check();
  await admin.getByRole('button', { name: 'Make the API client' }).click();
  const shown = admin.getByRole('region', { name: "New API client's secret" });
  await expect(shown).toBeVisible();
  const id = await shown.getByLabel('Client id').inputValue();
  const secret = await shown.getByLabel('Client secret').inputValue();
  expect(id).toMatch(/^tc_[0-9a-f]{32}$/);
  expect(secret).toMatch(/^[0-9a-f]{64}$/);
  const listed = admin.getByRole('list', { name: 'API clients' }).getByRole('listitem').filter({ hasText: 'Payments interface' });
  await expect(listed).toContainText('may read accounts and figures, download exports');
  await expect(listed).toContainText('never used');
  await checkAccessibility(admin);

  // The finance system calls with HTTP Basic, as the OpenAPI description says.
  const system = await playwright.request.newContext({
    baseURL: council.url,
    extraHTTPHeaders: { Authorization: `Basic ${Buffer.from(`${id}:${secret}`).toString('base64')}` },
  });
  const exported = await system.get('api/v1/council/transactions.csv');
  expect(exported.status()).toBe(200);
  expect(await exported.text()).toContain('DP-000001');
  const change = await system.post('api/v1/council/accounts/DP-000001/money-in', {
    data: { kind: 'payment_in', date: new Date().toISOString().slice(0, 10), amount: '10.00', reference: 'x' },
  });
  expect(change.status()).toBe(403);
  expect((await change.json()).error.message).toContain('needs the scope money_in');

  await admin.reload();
  await expect(listed).toContainText('last used');
  await listed.getByRole('button', { name: 'Revoke Payments interface' }).click();
  await listed.getByRole('button', { name: 'Yes, revoke Payments interface' }).click();
  await expect(admin.getByText('Payments interface is revoked').first()).toBeVisible();
  await expect(listed).toContainText('revoked');
  expect((await system.get('api/v1/council/transactions.csv')).status()).toBe(401);
  await system.dispose();

  await admin.getByRole('link', { name: 'Audit log' }).click();
  await expect(admin.getByText('GET /api/v1/council/transactions.csv').first()).toBeVisible();
  await admin.context().close();
});

test('an officer records a review and the contribution, then ends the direct payment: the phone says plainly what happened', async ({ browser, council, wallet }) => {
  await wallet.open(council.url);
  await wallet.pair(council.pairingCode);
  await expect(wallet.balance).toContainText('£1,480.00');

  const officer = await officerPage(browser);
  await signIn(officer, council.url, OFFICER);
  await officer.getByRole('link', { name: 'Alex Morgan · DP-000001' }).click();
  const life = officer.getByRole('region', { name: 'Reviews, contribution and ending' });
  await expect(life).toContainText('Next review due');

  // The contribution assessed, with none recorded yet: listed for a look.
  await life.getByLabel('Weekly contribution, as assessed').fill('20');
  await life.getByRole('button', { name: 'Save the contribution' }).click();
  await expect(officer.getByRole('status').filter({ hasText: 'The weekly contribution is saved' })).toBeVisible();
  await expect(life).toContainText('£20.00 a week');
  await expect(officer.getByRole('region', { name: 'Needs a look' })).toContainText('Contribution not paid');

  await life.getByLabel('What the review found (optional)').fill('The plan still meets Alex\'s needs');
  await life.getByRole('button', { name: 'Record the review' }).click();
  await expect(life.getByRole('list').filter({ hasText: 'The plan still meets Alex\'s needs' })).toContainText('Sam Patel');
  await checkAccessibility(officer);

  // Ending: a reason is needed, and a second step confirms.
  await life.getByRole('button', { name: 'End the direct payment' }).click();
  await life.getByRole('button', { name: 'Yes, end the direct payment' }).click();
  await expect(life.getByText('Say why it ends').first()).toBeVisible();
  await life.getByLabel('Why it ends').fill('You have moved to a care home that the council pays for directly');
  await life.getByRole('button', { name: 'End the direct payment' }).click();
  await life.getByRole('button', { name: 'Yes, end the direct payment' }).click();
  const ended = officer.getByRole('region', { name: 'Direct payment ended' });
  await expect(ended).toContainText('This direct payment ended on');
  await expect(officer.getByRole('region', { name: 'Audit trail' })).toContainText('final surplus £1,480.00 to return');
  await expect(officer.getByRole('region', { name: 'Money in and surplus' })).toContainText('The direct payment has ended');
  await expect(officer.getByRole('button', { name: 'Issue a pairing code' })).toHaveCount(0);
  await checkAccessibility(officer);

  // The phone hears it at its next sync, in the council's words; its records stay.
  await wallet.syncNow();
  await expect(wallet.syncStatus).toContainText('Your direct payment from', { timeout: 20_000 });
  await expect(wallet.syncStatus).toContainText('You have moved to a care home that the council pays for directly');
  await expect(wallet.syncStatus).toContainText('stays here for you to look at');
  await officer.context().close();
});
