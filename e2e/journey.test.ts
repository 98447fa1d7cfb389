// The newcomer's journey in a real browser: onboarding → sign in → invite a sales user → the invitee
// accepts and signs in → what sales may not do is absent from the UI and refused by the API → sign out.
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, type Server, shoot, startServer } from './support.ts';

let server: Server;
let browser: BrowserContext;

beforeAll(async () => {
  server = await startServer();
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

const owner = {
  workspace: 'Lone Star Western Wear',
  name: 'Olivia Owner',
  email: 'olivia@lonestar.example',
  password: 'saddle-up-2026!',
};
const rep = { name: 'Sam Sales', email: 'sam@lonestar.example', password: 'quota-crusher-99' };

async function at(page: Page, width: number, height: number, name: string) {
  await page.setViewportSize({ width, height });
  await page.waitForTimeout(150);
  return shoot(page, name);
}

describe('newcomer journey', () => {
  let page: Page;

  it('first visit leads to onboarding, which creates the workspace and signs the owner in', async () => {
    page = await browser.newPage();
    await page.goto(server.url);
    await page.waitForURL(/\/setup/);
    await at(page, 1280, 800, '01-setup-desktop');
    await at(page, 375, 812, '01-setup-phone');
    await page.setViewportSize({ width: 1280, height: 800 });
    await page.getByLabel(/workspace name/i).fill(owner.workspace);
    await page.getByLabel(/your name|^name/i).fill(owner.name);
    await page.getByLabel(/email/i).fill(owner.email);
    await page.getByLabel(/password/i).fill(owner.password);
    await page.getByRole('button', { name: /create workspace/i }).click();
    await page.waitForURL((u) => !u.pathname.startsWith('/setup'));
    await expect.poll(() => page.getByRole('heading', { name: /welcome, olivia/i }).isVisible()).toBe(true);
    await expect
      .poll(() => page.getByText(owner.workspace, { exact: false }).filter({ visible: true }).count())
      .toBeGreaterThan(0);
    await at(page, 1280, 800, '02-home-desktop');
    await at(page, 375, 812, '02-home-phone');
    await page.setViewportSize({ width: 1280, height: 800 });
  });

  it('signs out and back in', async () => {
    await signOut(page);
    await page.waitForURL(/\/sign-in/);
    await at(page, 1280, 800, '03-sign-in-desktop');
    await at(page, 375, 812, '03-sign-in-phone');
    await page.setViewportSize({ width: 1280, height: 800 });
    await page.getByLabel(/email/i).fill(owner.email);
    await page.getByLabel(/password/i).fill('wrong password!!');
    await page.getByRole('button', { name: /^sign in$/i }).click();
    await expect
      .poll(() =>
        page
          .getByText(/not right|invalid|incorrect/i)
          .first()
          .isVisible(),
      )
      .toBe(true);
    await page.getByLabel(/password/i).fill(owner.password);
    await page.getByRole('button', { name: /^sign in$/i }).click();
    await page.waitForURL((u) => !u.pathname.startsWith('/sign-in'));
  });

  let inviteLink = '';
  it('invites a sales rep; the invitation mail is readable in the outbox', async () => {
    await page.goto(`${server.url}/settings/members`);
    await expect.poll(() => page.getByRole('heading', { name: /users & roles/i }).isVisible()).toBe(true);
    await page
      .getByRole('button', { name: /^invite/i })
      .first()
      .click();
    await page.getByLabel(/email/i).last().fill(rep.email);
    await page.getByLabel(/role/i).last().selectOption('sales');
    await page.getByRole('button', { name: /send invitation/i }).click();
    await expect.poll(() => page.getByText(rep.email).first().isVisible()).toBe(true);
    await at(page, 1280, 800, '04-members-desktop');
    await at(page, 375, 812, '04-members-phone');
    await page.setViewportSize({ width: 1280, height: 800 });

    await page.goto(`${server.url}/settings/outbox`);
    await expect.poll(() => page.getByRole('heading', { name: /outbox/i }).isVisible()).toBe(true);
    await page
      .getByText(/you are invited/i)
      .first()
      .click();
    const text = (await page.locator('body').textContent()) ?? '';
    inviteLink = /https?:\/\/\S+accept-invitation\?token=[\w-]+/.exec(text)?.[0] ?? '';
    expect(inviteLink).toContain('/accept-invitation?token=');
    await at(page, 1280, 800, '05-outbox-desktop');

    await page.goto(`${server.url}/settings/audit`);
    await expect.poll(() => page.getByText('invitation.created').first().isVisible()).toBe(true);
    await page.getByText('invitation.created').first().click();
    await expect.poll(() => page.getByText(rep.email).first().isVisible()).toBe(true);
    await at(page, 1280, 800, '08-audit-desktop');
    await page.goto(`${server.url}/account`);
    await expect
      .poll(() => page.getByRole('heading', { name: /two-factor authentication/i }).isVisible())
      .toBe(true);
    await at(page, 1280, 800, '09-account-desktop');
    await signOut(page);
  });

  it('the invitee accepts, creates an account and lands signed in as sales', async () => {
    await page.goto(inviteLink.replace(/^https?:\/\/[^/]+/, server.url));
    await expect.poll(() => page.getByText(owner.workspace).first().isVisible()).toBe(true);
    await at(page, 375, 812, '06-accept-phone');
    await page.setViewportSize({ width: 1280, height: 800 });
    await page.getByLabel(/name/i).first().fill(rep.name);
    await page
      .getByLabel(/password/i)
      .first()
      .fill(rep.password);
    await page.getByRole('button', { name: /accept|join/i }).click();
    await page.waitForURL((u) => !u.pathname.startsWith('/accept-invitation'));
    const me = await page.evaluate(async () => (await fetch('/api/v1/me')).json());
    expect(me.user.email).toBe(rep.email);
    expect(me.workspace.role).toBe('sales');
  });

  it('hides what sales may not do, and the API refuses it too', async () => {
    await page.goto(`${server.url}/settings/members`);
    await page.waitForLoadState('networkidle');
    expect(await page.getByRole('button', { name: /^invite/i }).count()).toBe(0);
    expect(await page.getByRole('link', { name: /audit log/i }).count()).toBe(0);
    await at(page, 1280, 800, '07-sales-members-desktop');
    const refused = await page.evaluate(async () => {
      const res = await fetch('/api/v1/invitations', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ email: 'friend@lonestar.example', role: 'admin' }),
      });
      return { status: res.status, body: await res.json() };
    });
    expect(refused.status).toBe(403);
    expect(refused.body.code).toBe('forbidden');
    const audit = await page.evaluate(async () => (await fetch('/api/v1/audit-log')).status);
    expect(audit).toBe(403);
  });

  it('signs out: the session no longer works', async () => {
    await signOut(page);
    await page.waitForURL(/\/sign-in/);
    const status = await page.evaluate(async () => (await fetch('/api/v1/me')).status);
    expect(status).toBe(401);
  });
});

async function signOut(page: Page) {
  const direct = page.getByRole('button', { name: /sign out/i });
  if ((await direct.count()) === 0 || !(await direct.first().isVisible())) {
    await page
      .getByRole('button', { name: /account|user menu|olivia|sam|menu/i })
      .first()
      .click();
  }
  await page
    .getByRole('button', { name: /sign out/i })
    .first()
    .click();
}
