import { expect, test } from "@playwright/test";
import { createUser, currentStep, signIn, totpAt, waitForMail } from "./helpers";

const PASSWORD = "original passphrase here";
const NEW_PASSWORD = "replacement passphrase here";

test("enrol two-factor, reset the password by mail, sign in with the new password and a code", async ({ page }) => {
  const username = createUser("resetter", PASSWORD);
  const email = `${username}@example.test`;

  // Enrol: read the secret from the page, confirm with a computed code and the password.
  await signIn(page, username, PASSWORD);
  await page.goto("/account/security");
  await page.getByRole("button", { name: "Enable two-factor" }).click();
  const secret = (await page.locator("#totp-secret").textContent())!.trim();
  expect(secret).toMatch(/^[A-Z2-7]{32}$/);
  await expect(page.getByRole("img", { name: "QR code for your authenticator app" })).toBeVisible();
  const enrolledAt = currentStep();
  await page.locator("#confirm-code").fill(totpAt(secret, enrolledAt));
  await page.locator("#confirm-password").fill(PASSWORD);
  await page.getByRole("button", { name: "Confirm and turn on" }).click();
  await expect(page.getByRole("list", { name: "Recovery codes" }).getByRole("listitem")).toHaveCount(10);
  await expect(page.getByText("Two-factor authentication is on")).toBeVisible();
  await page.getByRole("button", { name: "Sign out", exact: true }).click();
  await expect(page).toHaveURL(/\/login$/);

  // Forgot password: the mail arrives over SMTP with a one-time link.
  await page.getByRole("link", { name: "Forgot password?" }).click();
  await page.getByLabel("Email").fill(email.toUpperCase());
  await page.getByRole("button", { name: "Send reset link" }).click();
  await expect(page.getByRole("status")).toContainText("If an account uses that address");
  const mail = await waitForMail(email, /reset your password/);
  const link = mail.match(/http:\/\/127\.0\.0\.1:\d+\/password\/set\?token=[0-9a-f]{64}/)?.[0];
  expect(link, mail).toBeTruthy();

  await page.goto(link!);
  await page.getByLabel("New password").fill(NEW_PASSWORD);
  await page.getByRole("button", { name: "Set password" }).click();
  await expect(page).toHaveURL(/\/login$/);

  // The old password is gone; the new one leads to the code step.
  await page.getByLabel("Username or email").fill(username);
  await page.getByLabel("Password").fill(PASSWORD);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByRole("alert")).toContainText("incorrect");
  await page.getByLabel("Password").fill(NEW_PASSWORD);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page).toHaveURL(/\/login\/two-factor$/);

  // A code is accepted once per 30-second step: use a step after the enrolment's.
  while (currentStep() <= enrolledAt) await page.waitForTimeout(500);
  await page.getByLabel("Authentication code").fill(totpAt(secret, currentStep()));
  await page.getByRole("button", { name: "Verify" }).click();
  await expect(page.getByRole("heading", { name: "Your servers" })).toBeVisible();
});

test("a wrong code at the checkpoint is refused next to the field", async ({ page }) => {
  const username = createUser("wrongcode", PASSWORD);
  await signIn(page, username, PASSWORD);
  await page.goto("/account/security");
  await page.getByRole("button", { name: "Enable two-factor" }).click();
  const secret = (await page.locator("#totp-secret").textContent())!.trim();
  await page.locator("#confirm-code").fill(totpAt(secret, currentStep()));
  await page.locator("#confirm-password").fill(PASSWORD);
  await page.getByRole("button", { name: "Confirm and turn on" }).click();
  await expect(page.getByText("Two-factor authentication is on")).toBeVisible();
  await page.getByRole("button", { name: "Sign out", exact: true }).click();

  await page.getByLabel("Username or email").fill(username);
  await page.getByLabel("Password").fill(PASSWORD);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page).toHaveURL(/\/login\/two-factor$/);
  await page.getByLabel("Authentication code").fill("000000");
  await page.getByRole("button", { name: "Verify" }).click();
  await expect(page.locator("#code-error")).toContainText("not valid");
});
