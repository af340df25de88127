// The council workspace at a county's caseload in real Chromium (a benchmark: it prints
// numbers). Run: `cargo xtask bench-browser` (or, with a built app and release server,
// `npx playwright test -c bench.config.ts workspace` in tests/).
//
// Seeds 5,000 accounts with a year of records each, signs in as a finance officer and
// times, from navigation start to the rows being on screen and the next frame drawn
// (target ≤ 1 s):
// - the accounts list's first page (50 rows);
// - the review queue's first page (50 flagged spends);
// - the review queue's next page, from pressing "Next page".
import { Page } from '@playwright/test';
import { test, expect } from '../e2e/fixtures';

const ACCOUNTS = Number(process.env.TALLY_BENCH_ACCOUNTS ?? 5_000);
const OFFICER = { email: 'finance.officer@demo.invalid', password: 'demo-officer-password' };

/** Resolves (in the page) when `selector` finds `count` elements, after the next frame. */
function drawnWhen(selector: string, count: number): string {
  return `
    window.tallyDrawn = new Promise((resolve) => {
      const check = () => {
        if (document.querySelectorAll(${JSON.stringify(selector)}).length < ${count}) return false;
        requestAnimationFrame(() => setTimeout(() => resolve(performance.now()), 0));
        return true;
      };
      const observer = new MutationObserver(() => { if (check()) observer.disconnect(); });
      addEventListener('DOMContentLoaded', () => { if (!check()) observer.observe(document.body, { childList: true, subtree: true }); });
    });
  `;
}

/** Loads `url` and gives the time from navigation start to 50 rows drawn. */
async function timeToRows(page: Page, url: string): Promise<number> {
  await page.goto(url);
  return page.evaluate(() => (window as unknown as { tallyDrawn: Promise<number> }).tallyDrawn);
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const runs = (xs: number[]) => xs.map((x) => x.toFixed(0)).join(', ');

test(`the workspace's lists with ${ACCOUNTS} accounts`, async ({ browser, council }) => {
  test.setTimeout(1_800_000);
  const seeding = Date.now();
  await council.seedCaseload(ACCOUNTS);
  console.log(`seeded ${ACCOUNTS} accounts with a year of records each in ${((Date.now() - seeding) / 1000).toFixed(0)} s`);

  const context = await browser.newContext();
  const page = await context.newPage();
  await page.goto(`${council.url}council`);
  await page.getByLabel('Email address').fill(OFFICER.email);
  await page.getByLabel('Password').fill(OFFICER.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByRole('table', { name: 'Accounts' }).getByRole('rowheader')).toHaveCount(50, { timeout: 60_000 });
  await expect(page.getByRole('status').filter({ hasText: /accounts$/ })).toHaveText(`${ACCOUNTS + 2} accounts`);

  const list: number[] = [];
  await page.addInitScript(drawnWhen('table tbody th[scope=row]', 50));
  for (let i = 0; i < 6; i++) list.push(await timeToRows(page, `${council.url}council`));

  const queue: number[] = [];
  const queuePage = await context.newPage();
  await queuePage.addInitScript(drawnWhen('table.queue tbody button[aria-expanded]', 50));
  for (let i = 0; i < 6; i++) queue.push(await timeToRows(queuePage, `${council.url}council/reviews`));
  const total = await queuePage.getByRole('status').filter({ hasText: /flagged spends to review$/ }).textContent();

  // The next page, from the press to the new rows drawn.
  const next: number[] = [];
  for (let i = 0; i < 5; i++) {
    const firstRow = await queuePage.locator('table.queue tbody button[aria-expanded]').first().textContent();
    const started = await queuePage.evaluate(() => performance.now());
    await queuePage.getByRole('navigation', { name: 'Pages of the review queue' }).getByRole('link', { name: 'Next page' }).click();
    await expect(queuePage.locator('table.queue tbody button[aria-expanded]').first()).not.toHaveText(firstRow!);
    await expect(queuePage.locator('table.queue tbody button[aria-expanded]')).toHaveCount(50);
    const drawn = await queuePage.evaluate(() => new Promise<number>((resolve) => requestAnimationFrame(() => setTimeout(() => resolve(performance.now()), 0))));
    next.push(drawn - started);
  }

  console.log(`review queue: ${total}`);
  console.log(`accounts list, first 50 of ${ACCOUNTS + 2}, navigation to drawn: median ${median(list).toFixed(0)} ms (runs: ${runs(list)}) — target 1,000 ms`);
  console.log(`review queue, first 50, navigation to drawn: median ${median(queue).toFixed(0)} ms (runs: ${runs(queue)}) — target 1,000 ms`);
  console.log(`review queue, next page from the press to drawn: median ${median(next).toFixed(0)} ms (runs: ${runs(next)}) (includes the test's polling)`);
  expect(list.length).toBe(6);
  await context.close();
});
