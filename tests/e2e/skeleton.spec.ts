// The walking skeleton, end to end: pair, log spending with no connection, keep it over a
// reload, and see it reach the council exactly once when the connection is back.
import AxeBuilder from '@axe-core/playwright';
import { test, expect } from './fixtures';

const WCAG_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'];

test('a spend logged with the council unreachable is kept over a reload and reaches it once', async ({ page, context, council, wallet }) => {
  await wallet.open(council.url);
  await wallet.pair(council.pairingCode);

  await expect(wallet.heading('Alex Morgan')).toBeVisible();
  await expect(wallet.balance).toContainText('£1,480.00');
  await expect(wallet.syncStatus).toContainText('All saved to the council');

  // No signal.
  await context.setOffline(true);
  await wallet.logSpend({ amount: '12.50', payee: 'Sunrise Day Centre', planLine: 'Day centre' });

  const item = wallet.spending.filter({ hasText: 'Sunrise Day Centre' });
  await expect(item).toHaveCount(1);
  await expect(item).toContainText('£12.50');
  await expect(item).toContainText('Waiting to be sent');
  await expect(wallet.balance).toContainText('£1,467.50');
  await expect(wallet.syncStatus).toContainText('1 record waiting');
  expect(await council.spends()).toHaveLength(0);

  // The page can load again, but the council's API still cannot be reached.
  await page.route('**/api/**', (route) => route.abort('internetdisconnected'));
  await context.setOffline(false);
  await page.reload();
  await expect(wallet.heading('Alex Morgan')).toBeVisible();
  await expect(item).toHaveCount(1);
  await expect(item).toContainText('Waiting to be sent');
  await expect(wallet.balance).toContainText('£1,467.50');
  await expect(wallet.syncStatus).toContainText('Could not reach the council');

  // The council is back.
  await page.unroute('**/api/**');
  await wallet.syncNow();
  await expect(wallet.syncStatus).toContainText('All saved to the council', { timeout: 20_000 });
  await expect(item).toContainText('Saved to the council');

  const spends = (await council.spends()).filter((e) => e.body.payee === 'Sunrise Day Centre');
  expect(spends).toHaveLength(1);
  expect(spends[0].body.amount).toBe('12.50');
  expect(spends[0].body.plan_line).toBe('day-centre');
  expect(spends[0].author.name).toBe('Alex Morgan');
});

test('with the council server stopped, spending waits and is sent once when it restarts', async ({ council, wallet }) => {
  await wallet.open(council.url);
  await wallet.pair(council.pairingCode);
  await expect(wallet.syncStatus).toContainText('All saved to the council');

  await council.stop();
  await wallet.logSpend({ amount: '£1,000', payee: 'Ace Care Agency', planLine: 'Personal assistant hours' });
  await wallet.logSpend({ amount: '7.5', payee: 'City Taxis', planLine: 'Taxi to the day centre' });
  await expect(wallet.syncStatus).toContainText('2 records waiting');
  await expect(wallet.syncStatus).toContainText('Could not reach the council');
  await expect(wallet.balance).toContainText('£472.50');

  await council.launch();
  await wallet.syncNow();
  await expect(wallet.syncStatus).toContainText('All saved to the council', { timeout: 20_000 });

  const spends = await council.spends();
  expect(spends.map((s) => [s.body.payee, s.body.amount]).sort()).toEqual([
    ['Ace Care Agency', '1000.00'],
    ['City Taxis', '7.50'],
  ]);
});

test('mistakes are explained beside each field and what was typed is kept', async ({ page, council, wallet }) => {
  await wallet.open(council.url);
  await wallet.pair(council.pairingCode);
  await expect(wallet.syncStatus).toContainText('All saved to the council');
  await expect(page.getByText('No spending logged yet.')).toBeVisible();

  await wallet.goTo('Log spending');
  const form = wallet.form;
  await form.getByLabel('Amount').fill('12.345');
  await form.getByLabel('Who was paid').fill('Corner Shop');
  await form.getByRole('button', { name: 'Save spending' }).click();

  const summary = page.getByRole('alert').filter({ hasText: 'There is a problem' });
  await expect(summary).toBeVisible();
  await expect(summary.getByRole('link', { name: /no more than two numbers after the decimal point/ })).toBeVisible();
  await expect(summary.getByRole('link', { name: /Choose which part of your support plan/ })).toBeVisible();
  const amount = form.getByLabel('Amount');
  await expect(amount).toHaveAttribute('aria-invalid', 'true');
  await expect(amount).toHaveAccessibleDescription(/no more than two numbers after the decimal point/);
  await expect(amount).toHaveValue('12.345');
  await expect(form.getByLabel('Who was paid')).toHaveValue('Corner Shop');

  // Following the summary link takes you to the field.
  await summary.getByRole('link', { name: /decimal point/ }).click();
  await expect(amount).toBeFocused();

  await amount.fill('12.34');
  await form.getByLabel('Support plan line').selectOption({ label: 'Day centre' });
  await form.getByRole('button', { name: 'Save spending' }).click();
  await expect(summary).toBeHidden();
  await expect(wallet.saved).toContainText('Saved £12.34 to Corner Shop');
  await wallet.goTo('Home');
  await expect(wallet.spending.filter({ hasText: 'Corner Shop' })).toContainText('£12.34');
  await expect(wallet.syncStatus).toContainText('All saved to the council');
  expect((await council.spends()).map((s) => s.body.amount)).toEqual(['12.34']);
});

test('a wrong pairing code is explained and the code typed is kept', async ({ page, council, wallet }) => {
  await wallet.open(council.url);
  await wallet.pair('WRNG-CODE');
  const field = page.getByLabel('Pairing code');
  await expect(field).toHaveAccessibleDescription(/not right, or it has already been used/);
  await expect(field).toHaveValue('WRNG-CODE');
  await expect(page.getByRole('alert')).toContainText('There is a problem');

  await field.fill(council.pairingCode.toLowerCase());
  await page.getByRole('button', { name: 'Connect this device' }).click();
  await expect(wallet.heading('Alex Morgan')).toBeVisible();
});


test('a council server error means "try again later", never a refusal, and nothing is lost', async ({ page, council, wallet }) => {
  await wallet.open(council.url);
  await wallet.pair(council.pairingCode);
  await expect(wallet.syncStatus).toContainText('All saved to the council');
  // The council's server fails every push for now (a 500 with its usual error body).
  await page.route('**/api/v1/accounts/*/entries', (route) =>
    route.request().method() === 'POST'
      ? route.fulfill({ status: 500, contentType: 'application/json', body: JSON.stringify({ error: { code: 'internal', message: 'Something went wrong on the council\'s server.' } }) })
      : route.continue(),
  );
  await wallet.logSpend({ amount: '5', payee: 'Corner Shop', planLine: 'Day centre' });
  await expect(wallet.syncStatus).toContainText('Could not reach the council — trying again');
  await expect(wallet.spending.filter({ hasText: 'Corner Shop' })).toContainText('Waiting to be sent');

  await page.unroute('**/api/v1/accounts/*/entries');
  await wallet.syncNow();
  await expect(wallet.syncStatus).toContainText('All saved to the council', { timeout: 20_000 });
  expect((await council.spends()).map((s) => s.body.payee)).toEqual(['Corner Shop']);
});
