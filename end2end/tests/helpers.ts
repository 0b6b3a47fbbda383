import { execFileSync } from "node:child_process";
import { Browser, expect, Page } from "@playwright/test";

let counter = 0;

/// Creates an account with the command line, as an operator would, and returns its username.
export function createUser(prefix: string, password: string, admin = false): string {
  counter += 1;
  const username = `${prefix}${Date.now().toString(36)}${counter}`;
  const args = [
    "user", "create",
    "--username", username,
    "--email", `${username}@example.test`,
    "--first-name", "Test",
    "--last-name", prefix,
    "--password-stdin",
  ];
  if (admin) args.push("--admin");
  execFileSync(process.env.GATEHOUSE_BIN!, args, {
    input: `${password}\n`,
    env: {
      ...process.env,
      GATEHOUSE_DATABASE_URL: process.env.GATEHOUSE_E2E_DATABASE_URL!,
      GATEHOUSE_LOG: "warn",
    },
  });
  return username;
}

/// Signs in through the form and waits for the landing page.
export async function signIn(page: Page, username: string, password: string) {
  await page.goto("/login");
  await page.getByLabel("Username or email").fill(username);
  await page.getByLabel("Password").fill(password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByRole("heading", { name: "Your servers" })).toBeVisible();
}

/// The same user signed in from two separate browsers; `close` ends both.
export async function twoBrowsers(browser: Browser, username: string, password: string) {
  const first = await browser.newContext();
  const second = await browser.newContext();
  const a = await first.newPage();
  const b = await second.newPage();
  await signIn(a, username, password);
  await signIn(b, username, password);
  await a.goto("/account/security");
  await expect(a.getByRole("row")).toHaveCount(3); // header + two sessions
  const close = async () => {
    await first.close();
    await second.close();
  };
  return { a, b, close };
}
