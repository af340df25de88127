// The wallet's screens, as a budget holder or carer uses them.
import AxeBuilder from '@axe-core/playwright';
import { Page } from '@playwright/test';
import { test, expect } from './fixtures';
import { Wallet } from './wallet';
import { Council } from './council';

const WCAG_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'];

/** axe finds no WCAG 2.2 AA violation; nothing scrolls sideways; every control (buttons,
 *  fields, links outside running text) is at least 44 px tall. */
async function checkScreen(page: Page, where: string) {
  const results = await new AxeBuilder({ page }).withTags(WCAG_TAGS).analyze();
  expect(results.violations, where).toEqual([]);
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  expect(overflow, `${where} scrolls sideways`).toBeLessThanOrEqual(0);
  const small = await page.evaluate(() =>
    [...document.querySelectorAll('main button, main input:not([type=checkbox]):not([type=radio]), main select, main textarea, nav a, .people a, .people button, input[type=checkbox], input[type=radio]')]
      .filter((el) => (el as HTMLElement).offsetParent !== null)
      .map((el) => ({ el: el.outerHTML.slice(0, 80), height: el.getBoundingClientRect().height, width: el.getBoundingClientRect().width }))
      .filter(({ height, el }) => height < (el.includes('checkbox') || el.includes('radio') ? 32 : 44)),
  );
  expect(small, `${where}: controls smaller than 44 px (checkboxes and radios 32 px, with 44 px labels)`).toEqual([]);
}

async function paired(wallet: Wallet, council: Council) {
  await wallet.open(council.url);
  await wallet.pair(council.pairingCode);
  await expect(wallet.syncStatus).toContainText('All saved to the council');
}

function lineBar(page: Page, name: string) {
  return page.getByRole('region', { name: 'Left this period' }).getByRole('listitem').filter({ has: page.getByText(name, { exact: true }) });
}

test('home shows what is left on each plan line this period', async ({ page, council, wallet }) => {
  await paired(wallet, council);
  await expect(lineBar(page, 'Day centre')).toContainText('£280.00 left of £280.00');
  await expect(lineBar(page, 'Personal assistant hours')).toContainText('£960.00 left of £960.00');
  await wallet.logSpend({ amount: '12.50', payee: 'Sunrise Day Centre', planLine: 'Day centre' });
  await expect(lineBar(page, 'Day centre')).toContainText('£267.50 left of £280.00');
  await expect(lineBar(page, 'Day centre')).toContainText('every 4 weeks');
});

test('spending shows what it helped with, and a chart of the year has its figures as text', async ({ page, council, wallet }) => {
  await paired(wallet, council);
  await wallet.logSpend({ amount: '12.50', payee: 'Sunrise Day Centre', planLine: 'Day centre' });
  await wallet.goTo('Log spending');
  await wallet.fillSpend({ amount: '30', payee: 'Jo Smith', planLine: 'Personal assistant hours' });
  await wallet.form.getByLabel('Which of your goals did this help with? (optional)').selectOption({ label: 'Choose when and what I eat' });
  await wallet.form.getByRole('button', { name: 'Save spending' }).click();
  await expect(wallet.saved).toContainText('Saved £30.00 to Jo Smith');
  await wallet.goTo('Home');

  const outcomes = page.getByRole('region', { name: 'What your spending helped with' });
  // The day centre line serves one goal, so its spending counts there without asking.
  await expect(outcomes.getByRole('listitem').filter({ hasText: 'See my friends at the day centre' })).toContainText('£12.50');
  await expect(outcomes.getByRole('listitem').filter({ hasText: 'Choose when and what I eat' })).toContainText('£30.00');
  await expect(outcomes.getByRole('listitem').filter({ hasText: 'Get out for fresh air twice a week' })).toContainText('£0.00');

  const chart = page.getByRole('region', { name: 'Money over the last year' });
  await expect(chart.getByRole('img')).toHaveAccessibleName('Money in and out each month for the last 12 months. Balance now £1,437.50.');
  await chart.getByText('Show the figures as a table').click();
  const table = chart.getByRole('table', { name: 'Money in and out each month' });
  await expect(table.getByRole('row')).toHaveCount(13);
  await expect(table.getByRole('row').nth(1)).toContainText('£1,480.00£42.50£1,437.50');
});

test('flags show before saving, explaining never blocks, and "not allowed" needs a confirmation', async ({ page, council, wallet }) => {
  await paired(wallet, council);
  await wallet.goTo('Log spending');
  const form = wallet.form;
  await wallet.fillSpend({ amount: '200', payee: 'City Taxis', planLine: 'Taxi to the day centre' });

  const before = form.getByRole('region', { name: 'Before you save' });
  await expect(before).toContainText('Over the budget for this part of your plan');
  await expect(before).toContainText('This takes Taxi to the day centre £80.00 over its budget of £120.00 every 4 weeks');
  await expect(before).toContainText('Receipt needed');
  await expect(before).toContainText('Please explain');
  await expect(before).not.toContainText('Not allowed');
  // Saving goes ahead without an explanation.
  await form.getByRole('button', { name: 'Save spending' }).click();
  await expect(wallet.saved).toContainText('Saved £200.00 to City Taxis');

  // Paying a relative who lives with you is against the rules unless the council agreed.
  await wallet.fillSpend({ amount: '40', payee: 'Sam Morgan', planLine: 'Personal assistant hours' });
  await form.getByLabel('The person I paid is a close relative who lives with me').check();
  await expect(before).toContainText('Not allowed — the council will review this');
  await expect(before).toContainText('Paying a close relative who lives with you');
  await form.getByRole('button', { name: 'Save spending' }).click();
  const summary = page.getByRole('alert').filter({ hasText: 'There is a problem' });
  await expect(summary).toContainText('Confirm that you understand the council will review this spending');
  await form.getByLabel('Why was this needed? (optional)').fill('My brother covered a shift when my PA was ill.');
  await form.getByLabel(/I understand the council will review this spending/).check();
  await form.getByRole('button', { name: 'Save spending' }).click();
  await expect(wallet.saved).toContainText('Saved £40.00 to Sam Morgan');

  // Home lists what still needs an explanation: the taxi, not the explained payment.
  await wallet.goTo('Home');
  const toExplain = page.getByRole('region', { name: 'Needs your explanation' });
  await expect(toExplain.getByRole('link', { name: '£200.00 to City Taxis' })).toBeVisible();
  await expect(toExplain).not.toContainText('Sam Morgan');

  await toExplain.getByRole('link', { name: '£200.00 to City Taxis' }).click();
  await expect(page.getByRole('heading', { level: 1, name: '£200.00 to City Taxis' })).toBeVisible();
  await expect(page.getByRole('heading', { level: 1 })).toBeFocused();
  await page.getByLabel('Your explanation').fill('Two hospital appointments this month.');
  await page.getByRole('button', { name: 'Send explanation' }).click();
  await expect(page.getByRole('region', { name: 'Explanations and decisions' })).toContainText('Two hospital appointments this month.');
  await wallet.goTo('Home');
  await expect(page.getByRole('region', { name: 'Needs your explanation' })).toHaveCount(0);

  await expect(wallet.syncStatus).toContainText('All saved to the council');
  const entries = await council.entries();
  expect(entries.filter((e) => (e.body as { type: string }).type === 'explanation')).toHaveLength(2);
});

test('history searches, filters and totals by month', async ({ page, council, wallet }) => {
  await paired(wallet, council);
  await wallet.logSpend({ amount: '12.50', payee: 'Sunrise Day Centre', planLine: 'Day centre' });
  await wallet.logSpend({ amount: '7.50', payee: 'City Taxis', planLine: 'Taxi to the day centre' });
  await wallet.logSpend({ amount: '60', payee: 'Ace Care', planLine: 'Personal assistant hours' });
  await wallet.goTo('History');

  const month = page.getByRole('region').filter({ has: page.getByRole('heading', { level: 2 }) }).first();
  await expect(month).toContainText('Spent £80.00 · Paid in £1,480.00');
  await expect(page.getByRole('main').getByRole('status')).toHaveText('4 entries');

  await page.getByLabel('Search who was paid or notes').fill('taxi');
  await expect(page.getByRole('main').getByRole('status')).toHaveText('1 entry');
  await expect(page.getByRole('link', { name: '£7.50 to City Taxis' })).toBeVisible();
  await page.getByLabel('Search who was paid or notes').fill('');

  await page.getByLabel('Plan line').selectOption({ label: 'Day centre' });
  await expect(page.getByRole('main').getByRole('status')).toHaveText('1 entry');
  await page.getByLabel('Plan line').selectOption({ label: 'All plan lines' });

  // £60 with no receipt is over the receipt threshold: the council may ask.
  await page.getByLabel('Only spending the council may ask about').check();
  await expect(page.getByRole('main').getByRole('status')).toHaveText('1 entry');
  await expect(page.getByRole('link', { name: '£60.00 to Ace Care' })).toBeVisible();
});

test('a correction is a new version, and cancelled spending stops counting but stays on record', async ({ page, council, wallet }) => {
  await paired(wallet, council);
  await wallet.logSpend({ amount: '12.50', payee: 'Sunrise Day Centre', planLine: 'Day centre' });
  await expect(wallet.balance).toContainText('£1,467.50');

  await wallet.spending.getByRole('link', { name: '£12.50 to Sunrise Day Centre' }).click();
  await page.getByRole('button', { name: 'Correct this spending' }).click();
  await page.getByLabel('Correct amount').fill('10');
  await page.getByLabel('What was wrong (optional)').fill('Typed the wrong amount');
  await page.getByRole('button', { name: 'Save correction' }).click();
  await expect(page.getByRole('heading', { level: 1, name: '£10.00 to Sunrise Day Centre' })).toBeVisible();
  await expect(page.getByRole('region', { name: 'Earlier versions' })).toContainText('£12.50 to Sunrise Day Centre');

  await page.getByRole('button', { name: 'Cancel this spending' }).click();
  await page.getByRole('button', { name: 'Cancel spending' }).click();
  await expect(page.getByLabel('Why are you cancelling it?')).toHaveAccessibleDescription(/Say why you are cancelling/);
  await page.getByLabel('Why are you cancelling it?').fill('Logged twice');
  await page.getByRole('button', { name: 'Cancel spending' }).click();
  await expect(page.getByRole('note')).toContainText('Logged twice');

  await wallet.goTo('Home');
  await expect(wallet.balance).toContainText('£1,480.00');
  await expect(wallet.syncStatus).toContainText('All saved to the council');
  const types = (await council.entries()).map((e) => (e.body as { type: string }).type).sort();
  expect(types).toEqual(['correction', 'payment_in', 'spend', 'void']);
});

test('the plan, money in and help explain the rules in plain words', async ({ page, council, wallet }) => {
  await paired(wallet, council);
  await wallet.goTo('Plan');
  await expect(page.getByRole('region', { name: 'What you want to achieve' })).toContainText('Get out for fresh air twice a week');
  const lines = page.getByRole('region', { name: 'What your budget is for' });
  await expect(lines).toContainText('Personal assistant hours');
  await expect(lines).toContainText('£960.00 every 4 weeks');
  await expect(lines).toContainText('Helps you to: Get out for fresh air twice a week; Choose when and what I eat');
  await expect(page.getByRole('region', { name: 'What your direct payment cannot be used for' })).toContainText('close relative who lives with you');
  await expect(page.getByRole('region', { name: 'Money you can keep in the account' })).toContainText('8 weeks');

  await wallet.goTo('Money in');
  await expect(page.getByRole('listitem').filter({ hasText: '£1,480.00 — Payment from the council' })).toBeVisible();

  await page.getByRole('link', { name: 'What is a contingency?' }).count(); // on the plan page only
  await wallet.goTo('Help');
  await expect(page.getByRole('term').filter({ hasText: 'Contingency' })).toBeVisible();
  await expect(page.getByRole('definition').filter({ hasText: 'Money you can keep in the account' })).toBeVisible();
  await expect(page.getByRole('term').filter({ hasText: 'Over the budget for this part of your plan' })).toBeVisible();
});

test('money a payee gave back is recorded as a refund, says who, and reaches the council', async ({ page, council, wallet }) => {
  await paired(wallet, council);
  await wallet.goTo('Money in');
  await page.getByLabel('A refund from someone you paid').check();
  await page.getByLabel('Amount paid in').fill('5');
  await page.getByRole('button', { name: 'Record money in' }).click();
  await expect(page.getByText('Enter who gave the money back.')).toBeVisible();
  await expect(page.getByLabel('Amount paid in')).toHaveValue('5');
  await page.getByLabel('Who gave the money back').fill('Boots');
  await page.getByRole('button', { name: 'Record money in' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'Recorded a refund of £5.00 from Boots' })).toBeVisible();
  const refund = page.getByRole('listitem').filter({ hasText: '£5.00 — Refund' });
  await expect(refund).toContainText('from Boots');
  await wallet.goTo('Home');
  await wallet.syncNow();
  await expect(wallet.syncStatus).toContainText('All saved to the council', { timeout: 20_000 });
});

test('a statement for a period can be printed and saved as a CSV return', async ({ page, council, wallet }) => {
  await paired(wallet, council);
  await wallet.logSpend({ amount: '12.50', payee: 'Smith, Jo', planLine: 'Personal assistant hours' });
  await wallet.logSpend({ amount: '7.50', payee: '=HYPERLINK("http://evil")', planLine: 'Day centre' });
  await wallet.goTo('Export');

  const statement = page.getByRole('region', { name: /Statement for Alex Morgan/ });
  await expect(statement).toContainText('Opening balance£0.00');
  await expect(statement).toContainText('Money in£1,480.00');
  await expect(statement).toContainText('Money out£20.00');
  await expect(statement).toContainText('Closing balance£1,460.00');
  await expect(statement.getByRole('table')).toContainText('3 transactions');

  const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Download CSV' }).click()]);
  expect(download.suggestedFilename()).toMatch(/^tally-DP-000001-\d{4}-\d{2}-01-to-\d{4}-\d{2}-\d{2}\.csv$/);
  const text = (await import('node:fs')).readFileSync(await download.path(), 'utf8');
  const lines = text.replace(/^\uFEFF/, '').split('\r\n');
  expect(lines[0]).toBe('Date,Type,Who,Description,Plan line,Money in,Money out,Receipt,Council,Entry id');
  expect(lines).toHaveLength(5);
  expect(lines.find((l) => l.includes('Smith'))).toMatch(/,Spend,"Smith, Jo",,Personal assistant hours,,12.50,No,,/);
  // A payee name can never run as a spreadsheet formula.
  expect(lines.find((l) => l.includes('HYPERLINK'))).toContain(`"'=HYPERLINK(""http://evil"")"`);

  // Printing keeps the statement and hides the navigation and the controls.
  await page.emulateMedia({ media: 'print' });
  await expect(statement).toBeVisible();
  await expect(wallet.nav).toBeHidden();
  await expect(page.getByRole('button', { name: 'Download CSV' })).toBeHidden();
  await page.emulateMedia({ media: 'screen' });

  // A period that ends before it starts is explained.
  await page.getByLabel('To', { exact: true }).fill('2020-01-01');
  await expect(page.getByLabel('To', { exact: true })).toHaveAccessibleDescription(/on or after the start date/);
});

test('every screen passes an automated WCAG 2.2 AA check at desktop and phone sizes, with nothing scrolling sideways', async ({ page, council, wallet }) => {
  // About thirty full axe scans (a second or two each on these cores): over the default
  // minute when the test beside it is seeding a council's caseload.
  test.setTimeout(180_000);
  await wallet.open(council.url);
  await expect(page.getByRole('heading', { name: 'Connect to your council' })).toBeVisible();
  expect((await new AxeBuilder({ page }).withTags(WCAG_TAGS).analyze()).violations).toEqual([]);
  await wallet.pair(council.pairingCode);
  await wallet.logSpend({ amount: '200', payee: 'City Taxis', planLine: 'Taxi to the day centre' });

  for (const size of [{ width: 1280, height: 800 }, { width: 360, height: 740 }, { width: 320, height: 640 }]) {
    await page.setViewportSize(size);
    for (const screen of ['Home', 'Log spending', 'History', 'Plan', 'Money in', 'Export', 'Help'] as const) {
      await wallet.goTo(screen);
      if (screen === 'Log spending') {
        // With flags showing, the busiest state of the form.
        await wallet.fillSpend({ amount: '300', payee: 'City Taxis', planLine: 'Taxi to the day centre', method: 'Cash' });
        await expect(wallet.form.getByRole('region', { name: 'Before you save' })).toBeVisible();
      }
      await checkScreen(page, `${screen} at ${size.width}px`);
    }
    for (const link of ['This device', 'Add a person']) {
      await page.getByRole('group', { name: 'People on this device' }).getByRole('link', { name: link }).click();
      await checkScreen(page, `${link} at ${size.width}px`);
    }
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Home', exact: true }).click();
    await wallet.spending.getByRole('link').first().click();
    await checkScreen(page, `entry at ${size.width}px`);
  }
});

test('the whole journey works from the keyboard alone', async ({ page, council, wallet }) => {
  await paired(wallet, council);
  // Skip link first, then the navigation.
  await page.keyboard.press('Tab');
  await expect(page.getByRole('link', { name: 'Skip to main content' })).toBeFocused();
  const logLink = wallet.nav.getByRole('link', { name: 'Log spending' });
  for (let i = 0; i < 10 && !(await logLink.evaluate((el) => el === document.activeElement)); i++) {
    await page.keyboard.press('Tab');
  }
  await expect(logLink).toBeFocused();
  await page.keyboard.press('Enter');
  await expect(page.getByRole('heading', { level: 1, name: 'Log spending' })).toBeFocused();
  await page.keyboard.press('Tab');
  await expect(page.getByLabel('Amount')).toBeFocused();
  await page.keyboard.type('9.99');
  // The date field has a stop for each of its parts; it keeps today's date.
  const payee = page.getByLabel('Who was paid');
  for (let i = 0; i < 6 && !(await payee.evaluate((el) => el === document.activeElement)); i++) {
    await page.keyboard.press('Tab');
  }
  await expect(payee).toBeFocused();
  await page.keyboard.type('Corner Shop');
  await page.keyboard.press('Tab'); // the close relative checkbox
  await page.keyboard.press('Tab');
  const line = page.getByLabel('Support plan line');
  await expect(line).toBeFocused();
  await line.press('ArrowDown'); // a closed select changes value with the arrow keys
  await expect(line).not.toHaveValue('');
  await page.keyboard.press('Tab');
  await expect(page.getByLabel('Which of your goals did this help with? (optional)')).toBeFocused();
  await page.keyboard.press('Tab');
  await expect(page.getByRole('radio', { name: 'Card' })).toBeFocused();
  await page.keyboard.press('Tab');
  await expect(page.getByLabel('Take a photo')).toBeFocused();
  await page.keyboard.press('Tab');
  await expect(page.getByLabel('Or choose a photo')).toBeFocused();
  await page.keyboard.press('Tab');
  await expect(page.getByLabel('Note (optional)')).toBeFocused();
  await page.keyboard.press('Tab');
  await expect(page.getByRole('button', { name: 'Save spending' })).toBeFocused();
  await page.keyboard.press('Enter');
  await expect(wallet.saved).toContainText('Saved £9.99 to Corner Shop');
});
