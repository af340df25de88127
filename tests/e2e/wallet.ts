// The wallet as a person uses it: every element found by its role and accessible name.
import { expect, Locator, Page } from '@playwright/test';

export class Wallet {
  constructor(readonly page: Page) {}

  async open(url: string) {
    await this.page.goto(url);
  }

  async pair(code: string) {
    await expect(this.page.getByRole('heading', { level: 1, name: 'Connect to your council' })).toBeVisible();
    await this.page.getByLabel('Pairing code').fill(code);
    await this.page.getByRole('button', { name: 'Connect this device' }).click();
  }

  heading(name: string): Locator {
    return this.page.getByRole('heading', { level: 1, name });
  }

  get balance(): Locator {
    return this.page.getByRole('region', { name: 'Balance' });
  }

  /** The sync state, on Home. */
  get syncStatus(): Locator {
    return this.page.getByRole('region', { name: 'Sync with the council' }).getByRole('status');
  }

  /** Asks for a sync round: "Try now" when something waits or failed, "Check now" when
   *  all is saved (a retry on its own timer may have got there first). */
  async syncNow() {
    await this.page.getByRole('button', { name: /^(Try now|Check now)$/ }).click();
  }

  get spending(): Locator {
    return this.page.getByRole('list', { name: 'Spending' }).getByRole('listitem');
  }

  get nav(): Locator {
    return this.page.getByRole('navigation', { name: 'Main' });
  }

  async goTo(page: 'Home' | 'Log spending' | 'History' | 'Plan' | 'Money in' | 'Export' | 'Help') {
    await this.nav.getByRole('link', { name: page, exact: true }).click();
    const heading = { Home: undefined, 'Log spending': 'Log spending', History: 'History', Plan: 'Your support plan', 'Money in': 'Money in', Export: 'Statement and export', Help: 'Help' }[page];
    if (heading) await expect(this.page.getByRole('heading', { level: 1, name: heading })).toBeVisible();
  }

  get form(): Locator {
    return this.page.getByRole('region', { name: 'Log spending' });
  }

  /** The confirmation that spending was saved. */
  get saved(): Locator {
    return this.form.getByRole('status').filter({ hasText: /^Saved/ });
  }

  /** Fills the log spending form (already on that page) without saving. */
  async fillSpend(spend: { amount: string; payee: string; planLine: string; date?: string; method?: string }) {
    const form = this.form;
    await form.getByLabel('Amount').fill(spend.amount);
    if (spend.date) await form.getByLabel('Date').fill(spend.date);
    await form.getByLabel('Who was paid').fill(spend.payee);
    await form.getByLabel('Support plan line').selectOption({ label: spend.planLine });
    if (spend.method) await form.getByRole('radio', { name: spend.method }).check();
  }

  /** Logs spending from the Log spending page and comes back to Home. */
  async logSpend(spend: { amount: string; payee: string; planLine: string; date?: string; method?: string }) {
    await this.goTo('Log spending');
    await this.fillSpend(spend);
    await this.form.getByRole('button', { name: 'Save spending' }).click();
    await expect(this.saved).toContainText(`to ${spend.payee}`);
    await this.goTo('Home');
  }
}
