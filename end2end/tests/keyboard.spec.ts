import { expect, Locator, Page, test } from "@playwright/test";
import { createServer, createUser, currentStep, seedNode, signIn, totpAt } from "./helpers";

const PASSWORD = "keyboard only passphrase";

/// Presses Tab until `target` has the focus, as someone without a mouse would.
async function tabTo(page: Page, target: Locator, limit = 250) {
  for (let presses = 0; presses < limit; presses++) {
    await page.keyboard.press("Tab");
    if (await target.evaluate((element) => element === document.activeElement).catch(() => false)) return;
  }
  throw new Error(`${target} was not reached with ${limit} presses of Tab`);
}

/// Follows a link or presses a button with the keyboard alone.
async function activate(page: Page, target: Locator) {
  await tabTo(page, target);
  await page.keyboard.press("Enter");
}

/// Waits until the page has hydrated, so that keyboard handlers are attached.
async function hydrated(page: Page) {
  await page.waitForFunction(() => document.documentElement.hasAttribute("data-hydrated"), null, { timeout: 30_000 });
}

test("sign in with two-factor, create a role and add a sub-user with the keyboard alone", async ({ page, browser }) => {
  test.setTimeout(120_000);
  const tag = Date.now().toString(36);
  const username = createUser("keys", PASSWORD, true);

  // Preparation with the mouse: two-factor on, and a server this admin owns.
  await signIn(page, username, PASSWORD);
  const seeded = await seedNode(page, tag, 1);
  await createServer(page, `Keyboard ${tag}`, username, seeded.node, seeded.egg, seeded.free[0]);
  await page.goto("/account/security");
  await page.getByRole("button", { name: "Enable two-factor" }).click();
  const secret = (await page.locator("#totp-secret").textContent())!.trim();
  const enrolledAt = currentStep();
  await page.locator("#confirm-code").fill(totpAt(secret, enrolledAt));
  await page.locator("#confirm-password").fill(PASSWORD);
  await page.getByRole("button", { name: "Confirm and turn on" }).click();
  await expect(page.getByText("Two-factor authentication is on")).toBeVisible();
  await page.context().clearCookies();

  // From here on, only the keyboard.
  const keyboard = await browser.newContext();
  const k = await keyboard.newPage();
  await k.goto("/login");
  await hydrated(k);
  await tabTo(k, k.getByLabel("Username or email"));
  await k.keyboard.type(username);
  await k.keyboard.press("Tab");
  await expect(k.getByLabel("Password")).toBeFocused();
  await k.keyboard.type(PASSWORD);
  await k.keyboard.press("Enter");
  await expect(k).toHaveURL(/\/login\/two-factor$/);
  await hydrated(k);
  while (currentStep() <= enrolledAt) await k.waitForTimeout(500);
  await tabTo(k, k.getByLabel("Authentication code"));
  await k.keyboard.type(totpAt(secret, currentStep()));
  await k.keyboard.press("Enter");
  await expect(k.getByRole("heading", { name: "Your servers" })).toBeVisible();
  await hydrated(k);

  // A role, from the admin area.
  await activate(k, k.getByRole("link", { name: "Admin" }));
  await expect(k.getByRole("heading", { name: "Administration" })).toBeVisible();
  await activate(k, k.getByRole("link", { name: "Roles" }));
  await activate(k, k.getByRole("link", { name: "New role" }));
  await tabTo(k, k.getByLabel("Name", { exact: true }));
  await k.keyboard.type(`Keyboard role ${tag}`);
  const usersRead = k.getByRole("checkbox", { name: /^users\.read / });
  await tabTo(k, usersRead);
  await k.keyboard.press("Space");
  await expect(usersRead).toBeChecked();
  await activate(k, k.getByRole("button", { name: "Save role" }));
  await expect(k).toHaveURL(/\/admin\/roles\/\d+$/);
  await expect(k.getByRole("checkbox", { name: /^users\.read / })).toBeChecked();
  await hydrated(k);

  // A sub-user, from the server's page.
  await activate(k, k.getByRole("link", { name: "Servers", exact: true }));
  await activate(k, k.getByRole("link", { name: `Keyboard ${tag}` }));
  await activate(k, k.getByRole("link", { name: "Sub-users" }));
  await tabTo(k, k.getByLabel("Email address"));
  await k.keyboard.type(`helper.${tag}@example.test`);
  const console_ = k.getByRole("checkbox", { name: /^control\.console / });
  await tabTo(k, console_);
  await k.keyboard.press("Space");
  await expect(console_).toBeChecked();
  await activate(k, k.getByRole("button", { name: "Add sub-user" }));
  await expect(k.getByRole("status").filter({ hasText: "was added" })).toBeVisible();
  await expect(k.getByText(`helper.${tag}@example.test`)).toBeVisible();
  await keyboard.close();
});
