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

  /** The always-visible sync state. */
  get syncStatus(): Locator {
    return this.page.getByRole('status').filter({ hasText: /council|waiting/ }).first();
  }

  get spending(): Locator {
    return this.page.getByRole('list', { name: 'Spending' }).getByRole('listitem');
  }

  async logSpend(spend: { amount: string; payee: string; planLine: string; date?: string }) {
    const form = this.page.getByRole('region', { name: 'Log spending' });
    await form.getByLabel('Amount').fill(spend.amount);
    if (spend.date) await form.getByLabel('Date').fill(spend.date);
    await form.getByLabel('Who was paid').fill(spend.payee);
    await form.getByLabel('Support plan line').selectOption({ label: spend.planLine });
    await form.getByRole('button', { name: 'Save spending' }).click();
  }
}
