import { expect, test } from "@playwright/test";
import { readFileSync } from "node:fs";

// The setup token, read from the server's log as an operator would.
function setupToken(): string {
  const log = readFileSync(process.env.GATEHOUSE_E2E_LOG!, "utf8");
  const match = log.match(/Setup token: ([0-9a-f]{32})/);
  if (!match) throw new Error(`no setup token in the server log:\n${log}`);
  return match[1];
}

test("first run: create the admin, sign in, sign out", async ({ page }) => {
  const scriptErrors: string[] = [];
  const missing: string[] = [];
  page.on("response", (response) => {
    if (response.status() === 404) missing.push(response.url());
  });
  page.on("pageerror", (error) => scriptErrors.push(error.message));
  page.on("console", (message) => {
    // Refused requests (a wrong token, a wrong password) are expected; script errors are not.
    const text = message.text();
    if (message.type() === "error" && !text.startsWith("Failed to load resource")) {
      scriptErrors.push(text);
    }
  });

  // A fresh panel sends everyone to setup.
  await page.goto("/");
  await expect(page).toHaveURL(/\/setup$/);
  await expect(page.getByRole("heading", { name: "Set up Gatehouse" })).toBeVisible();

  // A wrong token is refused next to the field, and nothing is lost.
  await page.getByLabel("Setup token").fill("not-the-token");
  await page.getByLabel("Username").fill("root");
  await page.getByLabel("Email").fill("root@example.test");
  await page.getByLabel("First name").fill("Rita");
  await page.getByLabel("Last name").fill("Root");
  await page.getByLabel("Password").fill("a long enough passphrase");
  await page.getByRole("button", { name: "Create administrator" }).click();
  await expect(page.locator("#token-error")).toContainText("not valid");
  await expect(page.getByLabel("Username")).toHaveValue("root");

  await page.getByLabel("Setup token").fill(setupToken());
  await page.getByRole("button", { name: "Create administrator" }).click();
  await expect(page).toHaveURL(/\/login$/);

  // Setup is gone now.
  await page.goto("/setup");
  await expect(page).toHaveURL(/\/login$/);

  // A wrong password gets the generic message.
  await page.getByLabel("Username or email").fill("root");
  await page.getByLabel("Password").fill("wrong passphrase");
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByRole("alert")).toContainText("incorrect");

  await page.getByLabel("Password").fill("a long enough passphrase");
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByRole("heading", { name: "Your servers" })).toBeVisible();
  await expect(page.getByText("Rita Root")).toBeVisible();

  await page.getByRole("button", { name: "Sign out", exact: true }).click();
  await expect(page).toHaveURL(/\/login$/);
  await page.goto("/");
  await expect(page).toHaveURL(/\/login$/);

  expect(scriptErrors).toEqual([]);
  expect(missing).toEqual([]);
});
