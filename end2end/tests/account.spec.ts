import { expect, test } from "@playwright/test";
import { createUser, signIn, twoBrowsers } from "./helpers";

const PASSWORD = "first passphrase here";
const NEW_PASSWORD = "second passphrase here";

test("a user edits their profile, changes password and sees both in their activity", async ({ page }) => {
  const username = createUser("profile", PASSWORD);
  await signIn(page, username, PASSWORD);

  await page.getByRole("link", { name: "Account" }).click();
  await expect(page.getByRole("heading", { name: "Profile" })).toBeVisible();
  await page.getByLabel("First name").fill("Hedy");
  await page.getByLabel("Last name").fill("Lamarr");
  await page.getByRole("button", { name: "Save profile" }).click();
  await expect(page.getByText("Profile saved.")).toBeVisible();
  await expect(page.locator(".user-name")).toHaveText("Hedy Lamarr");

  // The strength meter reacts as the user types.
  const newPassword = page.getByLabel("New password");
  await newPassword.fill("short");
  await expect(page.getByText("Strength: Too short")).toBeVisible();
  await page.locator("#password-current-password").fill(PASSWORD);
  await newPassword.fill(NEW_PASSWORD);
  await expect(page.getByText(/Strength: (Good|Strong)/)).toBeVisible();
  await page.getByRole("button", { name: "Change password" }).click();
  await expect(page.getByText("Password changed.")).toBeVisible();

  await page.getByRole("link", { name: "Activity" }).click();
  await expect(page.getByRole("cell", { name: "Changed the password" })).toBeVisible();
  await expect(page.getByRole("cell", { name: "Updated the profile" })).toBeVisible();

  // Still signed in after the change, with the new password working next time.
  await page.reload();
  await expect(page.getByRole("cell", { name: "Changed the password" })).toBeVisible();
});

test("a password change in one browser signs the other out", async ({ browser }) => {
  const { a, b, close } = await twoBrowsers(browser, createUser("twodevices", PASSWORD), PASSWORD);
  await expect(a.getByText("This device")).toHaveCount(1);

  await b.goto("/account");
  await b.locator("#password-current-password").fill(PASSWORD);
  await b.getByLabel("New password").fill(NEW_PASSWORD);
  await b.getByRole("button", { name: "Change password" }).click();
  await expect(b.getByText("Password changed.")).toBeVisible();

  const answer = await a.request.post("/api/auth/logout");
  expect(answer.status()).toBe(401);
  await a.goto("/account");
  await expect(a).toHaveURL(/\/login$/);
  await b.goto("/account/security");
  await expect(b.getByRole("row")).toHaveCount(2);

  await close();
});

test("sign out all other sessions ends the other browser's session", async ({ browser }) => {
  const { a, b, close } = await twoBrowsers(browser, createUser("signoutall", PASSWORD), PASSWORD);
  await a.getByRole("button", { name: "Sign out all other sessions" }).click();
  await expect(a.getByText("Signed out 1 other session(s).")).toBeVisible();
  await expect(a.getByRole("row")).toHaveCount(2);

  expect((await b.request.post("/api/auth/logout")).status()).toBe(401);
  await b.goto("/");
  await expect(b).toHaveURL(/\/login$/);

  await close();
});

test("choosing German in the profile turns the whole interface German, from the server's first render", async ({ page }) => {
  const username = createUser("sprache", PASSWORD);
  await signIn(page, username, PASSWORD);
  await page.goto("/account");
  await page.waitForFunction(() => document.documentElement.hasAttribute("data-hydrated"));
  await page.getByLabel("Language").selectOption("de");
  await page.getByRole("button", { name: "Save profile" }).click();
  await expect(page.getByRole("heading", { name: "Ihr Konto" })).toBeVisible();
  await expect(page.locator("html")).toHaveAttribute("lang", "de");

  // A fresh load of another page is German in the HTML the server sends.
  const html = await (await page.request.get("/servers", { headers: { accept: "text/html", "accept-language": "fr" } })).text();
  expect(html).toContain('<html lang="de"');
  await page.goto("/servers");
  await expect(page.getByRole("link", { name: "Konto" })).toBeVisible();
  await expect(page.getByRole("button", { name: "Abmelden" })).toBeVisible();
});
