// Sync with the council when the connection is poor: answers lost on the way, the server
// going down in the middle of a push, the network coming back, receipt photos travelling
// between a person's phones, and a lost phone shut out by the council.
import { Browser, Page, Route } from '@playwright/test';
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { test, expect } from './fixtures';
import { Wallet } from './wallet';

const FIXTURE = join(__dirname, '..', 'fixtures', 'receipt.jpg');
const PUSH = '**/api/v1/accounts/*/entries';

async function secondPhone(browser: Browser): Promise<Wallet> {
  const context = await browser.newContext();
  return new Wallet(await context.newPage());
}

/** The device id this phone was given when it paired. */
async function deviceId(page: Page): Promise<string> {
  return page.evaluate(() => JSON.parse(localStorage.getItem('tally.v2.sessions')!)[0].device_id);
}

test('the council stores a batch but its answer is lost: the phone sends it again and it is held once', async ({ page, council, wallet }) => {
  await wallet.open(council.url);
  await wallet.pair(council.pairingCode);
  await expect(wallet.syncStatus).toContainText('All saved to the council');

  // The next push reaches the council, which stores it; the answer never arrives.
  let delivered = 0;
  await page.route(PUSH, async (route: Route) => {
    if (route.request().method() !== 'POST' || delivered > 0) return route.fallback();
    delivered++;
    const answer = await route.fetch();
    expect(answer.status()).toBe(200);
    await route.abort('connectionreset');
  });
  await wallet.logSpend({ amount: '12.50', payee: 'Sunrise Day Centre', planLine: 'Day centre' });
  await expect(wallet.syncStatus).toContainText('Could not reach the council');
  await expect(wallet.syncStatus).toContainText('1 record waiting');
  expect(delivered).toBe(1);
  expect(await council.spends()).toHaveLength(1);

  // The same batch again: acknowledged as already held, and nothing doubles.
  await wallet.syncNow();
  await expect(wallet.syncStatus).toContainText('All saved to the council', { timeout: 20_000 });
  await expect(wallet.spending.filter({ hasText: 'Sunrise Day Centre' })).toHaveCount(1);
  await expect(wallet.balance).toContainText('£1,467.50');
  expect(await council.spends()).toHaveLength(1);
});

test('the council server stops in the middle of a push: nothing is lost or doubled when it is back', async ({ page, council, wallet }) => {
  await wallet.open(council.url);
  await wallet.pair(council.pairingCode);
  await expect(wallet.syncStatus).toContainText('All saved to the council');
  await council.stop();
  // The first push after the server is back is on its way when it goes down again. Until
  // then pushes find no server: the wallet retries by itself, and one that slipped in
  // between the server coming back and this test noticing would miss the cut.
  let back = false;
  let held = false;
  await page.route(PUSH, async (route: Route) => {
    if (route.request().method() !== 'POST' || held) return route.fallback();
    if (!back) return route.abort('connectionrefused');
    held = true;
    await council.stop();
    await route.continue();
  });
  await wallet.logSpend({ amount: '30', payee: 'Ace Care Agency', planLine: 'Personal assistant hours' });
  await wallet.logSpend({ amount: '4', payee: 'Corner Cafe', planLine: 'Day centre' });
  await expect(wallet.syncStatus).toContainText('2 records waiting');

  await council.launch();
  back = true;
  await wallet.syncNow();
  await expect(wallet.syncStatus).toContainText('Could not reach the council', { timeout: 20_000 });
  await expect(wallet.syncStatus).toContainText('2 records waiting');
  expect(held).toBe(true);

  await council.launch();
  await wallet.syncNow();
  await expect(wallet.syncStatus).toContainText('All saved to the council', { timeout: 20_000 });
  const spends = await council.spends();
  expect(spends.map((s) => s.body.payee).sort()).toEqual(['Ace Care Agency', 'Corner Cafe']);
  // The phone numbered its records in the order they were made.
  const numbers = Object.fromEntries(spends.map((s) => [s.body.payee, s.author.device_seq]));
  expect(numbers).toEqual({ 'Ace Care Agency': 1, 'Corner Cafe': 2 });
});

test('spending logged with no network is sent by itself when the network comes back', async ({ context, council, wallet }) => {
  await wallet.open(council.url);
  await wallet.pair(council.pairingCode);
  await expect(wallet.syncStatus).toContainText('All saved to the council');
  await context.setOffline(true);
  await wallet.logSpend({ amount: '9.99', payee: 'City Taxis', planLine: 'Taxi to the day centre' });
  await expect(wallet.syncStatus).toContainText('1 record waiting');
  await expect(wallet.syncStatus).toContainText('Could not reach the council');

  // No button pressed: the browser says the network is back, and the wallet sends.
  await context.setOffline(false);
  await expect(wallet.syncStatus).toContainText('All saved to the council', { timeout: 20_000 });
  expect((await council.spends()).map((s) => s.body.payee)).toEqual(['City Taxis']);
});

test('a receipt photo reaches the council once and shows on the person\'s other phone', async ({ browser, page, council, wallet }) => {
  await wallet.open(council.url);
  await wallet.pair(council.pairingCode);
  await expect(wallet.syncStatus).toContainText('All saved to the council');
  let uploads = 0;
  page.on('request', (request) => {
    if (request.method() === 'PUT' && request.url().includes('/receipts/')) uploads++;
  });

  await wallet.goTo('Log spending');
  await wallet.fillSpend({ amount: '60', payee: 'Sunrise Day Centre', planLine: 'Day centre' });
  await wallet.form.getByLabel('Or choose a photo').setInputFiles(FIXTURE);
  await expect(wallet.form.getByRole('img', { name: 'Receipt photo 1' })).toBeVisible();
  await wallet.form.getByRole('button', { name: 'Save spending' }).click();
  await expect(wallet.saved).toContainText('Saved £60.00 to Sunrise Day Centre');
  await wallet.goTo('Home');
  await expect(wallet.syncStatus).toContainText('All saved to the council', { timeout: 20_000 });

  // The council holds the photo the spend names, and its bytes hash to that name.
  const [spend] = await council.spends();
  const name = spend.body.receipts![0];
  await expect.poll(async () => (await council.receipt(name)) !== null, { timeout: 20_000 }).toBe(true);
  const photo = (await council.receipt(name))!;
  expect(createHash('sha256').update(photo).digest('hex')).toBe(name);
  expect(photo.subarray(0, 3)).toEqual(Buffer.from([0xff, 0xd8, 0xff]));

  // Further rounds do not send it again.
  await page.reload();
  await expect(wallet.syncStatus).toContainText('All saved to the council', { timeout: 20_000 });
  await page.getByRole('button', { name: 'Check now' }).click();
  await expect(wallet.syncStatus).toContainText('All saved to the council', { timeout: 20_000 });
  expect(uploads).toBe(1);

  // The carer's phone shows the photo taken on the first one.
  const carer = await secondPhone(browser);
  await carer.open(council.url);
  await carer.pair(council.newPairingCode());
  await expect(carer.syncStatus).toContainText('All saved to the council', { timeout: 20_000 });
  await carer.spending.getByRole('link', { name: '£60.00 to Sunrise Day Centre' }).click();
  const receipts = carer.page.getByRole('region', { name: 'Receipts' });
  await expect(receipts.getByRole('img', { name: 'Receipt photo 1 (opens full size)' })).toBeVisible({ timeout: 20_000 });
  await carer.page.context().close();
});

test('a phone the council has revoked is told plainly and keeps what was logged on it', async ({ page, council, wallet }) => {
  await wallet.open(council.url);
  await wallet.pair(council.pairingCode);
  await expect(wallet.syncStatus).toContainText('All saved to the council');
  const revoked = council.revokeDevice(await deviceId(page));
  expect(revoked).toContain('Revoked device');

  await wallet.logSpend({ amount: '5', payee: 'Corner Cafe', planLine: 'Day centre' });
  await expect(wallet.syncStatus).toContainText('no longer paired with the council', { timeout: 20_000 });
  await expect(wallet.syncStatus).toContainText('Ask your council for a new pairing code');
  const item = wallet.spending.filter({ hasText: 'Corner Cafe' });
  await expect(item).toHaveCount(1);
  await expect(item).toContainText('Waiting to be sent');
  await page.reload();
  await expect(wallet.spending.filter({ hasText: 'Corner Cafe' })).toHaveCount(1);
  expect(await council.spends()).toHaveLength(0);
});

test('a new support plan from the council reaches the phone when it next syncs', async ({ page, council, wallet }) => {
  await wallet.open(council.url);
  await wallet.pair(council.pairingCode);
  await expect(wallet.syncStatus).toContainText('All saved to the council');
  const plan = council.plan();
  const latest = plan.versions[plan.versions.length - 1];
  latest.lines.push({ ...latest.lines[0], id: 'garden-help', name: 'Help in the garden', approved_payees: [] });
  council.setPlan(plan);

  await page.getByRole('button', { name: 'Check now' }).click();
  await expect(wallet.syncStatus).toContainText('All saved to the council', { timeout: 20_000 });
  await wallet.goTo('Plan');
  await expect(page.getByRole('main')).toContainText('Help in the garden');
  // And it can be chosen when logging spending.
  await wallet.goTo('Log spending');
  await expect(wallet.form.getByLabel('Support plan line').getByRole('option', { name: 'Help in the garden' })).toHaveCount(1);
});

test('records of a kind, or with fields, this version does not know are kept on the phone as sent and do not stop sync', async ({ page, council, wallet }) => {
  // A newer council sends a kind of record this wallet has never heard of, with the others.
  let sent = false;
  await page.route('**/api/v1/accounts/*/entries?after=*', async (route: Route) => {
    if (route.request().method() !== 'GET' || sent) return route.continue();
    const response = await route.fetch();
    const page = await response.json();
    const model = page.entries[0];
    page.entries.push({ ...model, id: '01900000-0000-7000-8000-00000000f00d', body: { type: 'future_kind', detail: 'from a newer council' } });
    // And a record of a known kind with a field this version does not know.
    page.entries[0] = { ...model, body: { ...model.body, future_field: 'kept' } };
    sent = true;
    await route.fulfill({ response, json: page });
  });
  await wallet.open(council.url);
  await wallet.pair(council.pairingCode);
  await expect(wallet.syncStatus).toContainText('All saved to the council', { timeout: 20_000 });
  expect(sent).toBe(true);
  const kept = page.getByRole('status').filter({ hasText: 'The council has sent a record this version of Tally cannot show yet' });
  await expect(kept).toBeVisible();
  // The records it could read are all there.
  await expect(wallet.balance).toContainText('£1,480.00');

  // It is still on the device after a reload, and sync goes on past it.
  await page.reload();
  await expect(kept).toBeVisible();
  await expect(wallet.balance).toContainText('£1,480.00');
  await wallet.logSpend({ amount: '5', payee: 'Corner Shop', planLine: 'Day centre' });
  await expect(wallet.syncStatus).toContainText('All saved to the council', { timeout: 20_000 });
  const rows = await page.evaluate(() => new Promise<string[]>((resolve) => {
    const open = indexedDB.open('tally-records');
    open.onsuccess = () => {
      const rows = open.result.transaction('records').objectStore('records').getAll();
      rows.onsuccess = () => resolve(rows.result as string[]);
    };
  }));
  const stored = rows.find((row) => row.includes('future_kind'));
  expect(JSON.parse(stored!).entry.body).toEqual({ type: 'future_kind', detail: 'from a newer council' });
  // The unknown field is kept with the record, as the council sent it; records with
  // nothing unknown are kept once, without a copy.
  const withRaw = rows.map((row) => JSON.parse(row)).filter((row) => row.raw);
  expect(withRaw.length).toBe(1);
  expect(withRaw[0].raw.body.future_field).toBe('kept');
  expect(withRaw[0].entry.body.future_field).toBeUndefined();
});

test('a phone with a wrong clock: the council\'s refusal stays in History with its reason, and the person puts it right', async ({ page, council, wallet }) => {
  // The phone's clock runs two years fast: what it logs says it was made in the future.
  const now = Date.now();
  await page.clock.install({ time: new Date(now + 2 * 365 * 24 * 3600 * 1000) });
  await wallet.open(council.url);
  await wallet.pair(council.pairingCode);
  await expect(wallet.syncStatus).toContainText('All saved to the council');
  await wallet.logSpend({ amount: '9.99', payee: 'Corner Shop', planLine: 'Day centre' });

  // Never "all saved": Home says what was not accepted, and so does every other screen.
  await expect(wallet.syncStatus).toContainText('1 record not accepted');
  await expect(wallet.syncStatus).not.toContainText('All saved');
  await expect(wallet.spending.filter({ hasText: 'Corner Shop' })).toContainText("ahead of the council's clock");
  await expect(wallet.balance).toContainText('£1,480.00');
  await wallet.goTo('Plan');
  const line = page.getByRole('banner').getByRole('status');
  await expect(line).toContainText('1 record not accepted');
  await line.getByRole('link', { name: 'See what to do' }).click();
  await expect(wallet.heading('History')).toBeVisible();
  const refused = page.getByRole('region', { name: 'Not accepted by the council' });
  await expect(refused).toContainText('£9.99 to Corner Shop');
  await expect(refused).toContainText("The council's reason: This record says it was made on");
  await expect(refused).toContainText('Check the date and time on this device');

  // The clock is put right; the spending is logged again from what was typed.
  await page.clock.setSystemTime(new Date(now));
  await refused.getByRole('link', { name: 'Log it again' }).click();
  await expect(wallet.form.getByLabel('Amount')).toHaveValue('9.99');
  await expect(wallet.form.getByLabel('Who was paid')).toHaveValue('Corner Shop');
  await wallet.form.getByRole('button', { name: 'Save spending' }).click();
  // The date it carried is two years ahead: the phone says so before anything is sent.
  await expect(wallet.form.getByLabel('Date')).toHaveAccessibleDescription(/The date must be between 1 January 2000 and/);
  await wallet.form.getByLabel('Date').fill(new Date(now).toISOString().slice(0, 10));
  await wallet.form.getByRole('button', { name: 'Save spending' }).click();
  await expect(wallet.saved).toContainText('to Corner Shop');
  await wallet.goTo('Home');
  await expect(wallet.syncStatus).toContainText('All saved to the council');
  await expect(wallet.balance).toContainText('£1,470.01');

  // The refused record is still there, put right, and no longer counted.
  await wallet.goTo('History');
  await expect(refused.getByRole('group')).toContainText('Put right or read (1)');
  await expect(page.getByRole('banner').getByRole('status')).toContainText('All saved to the council');
});

test('a sync that brings a new plan while the person is typing keeps what they typed', async ({ page, council, wallet }) => {
  await wallet.open(council.url);
  await wallet.pair(council.pairingCode);
  await expect(wallet.syncStatus).toContainText('All saved to the council');
  await wallet.goTo('Log spending');
  await wallet.form.getByLabel('Amount').fill('23.40');
  await wallet.form.getByLabel('Who was paid').fill('Green Fingers');

  // Meanwhile the council adds a plan line; the phone syncs (the network comes back).
  const plan = council.plan();
  const latest = plan.versions[plan.versions.length - 1];
  latest.lines.push({ ...latest.lines[0], id: 'garden-help', name: 'Help in the garden', approved_payees: [] });
  council.setPlan(plan);
  await page.evaluate(() => window.dispatchEvent(new Event('online')));
  await expect(wallet.form.getByLabel('Support plan line').getByRole('option', { name: 'Help in the garden' })).toHaveCount(1);

  // Nothing typed was lost, and the new line can be chosen for it.
  await expect(wallet.form.getByLabel('Amount')).toHaveValue('23.40');
  await expect(wallet.form.getByLabel('Who was paid')).toHaveValue('Green Fingers');
  await wallet.form.getByLabel('Support plan line').selectOption({ label: 'Help in the garden' });
  await wallet.form.getByRole('button', { name: 'Save spending' }).click();
  await expect(wallet.saved).toContainText('£23.40 to Green Fingers');
});

test('while the app is open it asks the council for news every 3 minutes: money paid in arrives without a touch', async ({ page, council, wallet, playwright }) => {
  await page.clock.install();
  await wallet.open(council.url);
  await wallet.pair(council.pairingCode);
  await expect(wallet.balance).toContainText('£1,480.00');
  await expect(wallet.syncStatus).toContainText('All saved to the council');

  // An officer records a payment in, at the council.
  const officer = await playwright.request.newContext({ baseURL: council.url });
  const signedIn = await officer.post('api/v1/council/sign-in', {
    data: { email: 'finance.officer@demo.invalid', password: 'demo-officer-password' },
  });
  expect(signedIn.status()).toBe(200);
  const csrf = (await signedIn.json()).csrf_token;
  const today = new Date().toISOString().slice(0, 10);
  const paid = await officer.post('api/v1/council/accounts/DP-000001/money-in', {
    headers: { 'X-CSRF-Token': csrf },
    data: { kind: 'payment_in', date: today, amount: '20.00', reference: 'Top-up' },
  });
  expect(paid.status()).toBe(201);
  await officer.dispose();

  // Nobody touches the phone. Before three minutes it has not asked; at three it has.
  await page.clock.runFor(170_000);
  await expect(wallet.balance).toContainText('£1,480.00');
  await page.clock.runFor(15_000);
  await expect(wallet.balance).toContainText('£1,500.00', { timeout: 20_000 });
});
