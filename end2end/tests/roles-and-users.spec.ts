import { expect, test } from "@playwright/test";
import { createUser, signIn } from "./helpers";

const PASSWORD = "administrator passphrase";
const USER_PASSWORD = "helpdesk member passphrase";

test("a root admin builds a role, gives it to a new user, and narrows it", async ({ page, browser }) => {
  const scriptErrors: string[] = [];
  page.on("pageerror", (error) => scriptErrors.push(error.message));
  const root = createUser("rootadmin", PASSWORD, true);
  await signIn(page, root, PASSWORD);

  // A role with two admin permissions, picked from the grouped picker.
  await page.getByRole("link", { name: "Admin" }).click();
  await page.getByRole("link", { name: "Roles" }).click();
  await page.getByRole("link", { name: "New role" }).click();
  const roleName = `Helpdesk ${Date.now()}`;
  await page.getByLabel("Name", { exact: true }).fill(roleName);
  await page.getByRole("checkbox", { name: /^users\.read / }).check();
  await page.getByRole("checkbox", { name: /^roles\.read / }).check();
  await page.getByRole("button", { name: "Save role" }).click();
  await expect(page).toHaveURL(/\/admin\/roles\/\d+$/);
  await expect(page.getByRole("checkbox", { name: /^users\.read / })).toBeChecked();
  const roleUrl = page.url();

  // A user with that role and a temporary password.
  await page.goto("/admin/users/new");
  const username = `helpdesk${Date.now().toString(36)}`;
  await page.getByLabel("Username").fill(username);
  await page.getByLabel("Email").fill(`${username}@example.test`);
  await page.getByLabel("First name").fill("Help");
  await page.getByLabel("Last name").fill("Desk");
  await page.getByLabel("Temporary password").fill(USER_PASSWORD);
  await page.getByLabel("Role").selectOption({ label: roleName });
  await page.getByRole("button", { name: "Create user" }).click();
  await expect(page).toHaveURL(/\/admin\/users\/\d+$/);
  // Loaded directly, the user page hydrates cleanly and offers the root admin every action.
  for (let i = 0; i < 3; i++) {
    await page.reload();
    await expect(page.getByRole("button", { name: "Delete user" })).toBeVisible();
  }
  await page.getByRole("button", { name: "Delete user" }).click();
  await expect(page.getByRole("button", { name: "Confirm delete" })).toBeFocused();
  await page.getByRole("button", { name: "Cancel" }).click();

  // The new user sees exactly the admin areas the role opens.
  const context = await browser.newContext();
  const member = await context.newPage();
  await signIn(member, username, USER_PASSWORD);
  await member.getByRole("link", { name: "Admin" }).click();
  await expect(member.getByRole("link", { name: "Users" })).toBeVisible();
  await expect(member.getByRole("link", { name: "Roles" })).toBeVisible();
  await expect(member.getByRole("link", { name: "Settings" })).toHaveCount(0);
  await member.goto("/admin/users");
  await expect(member.getByRole("link", { name: username })).toBeVisible();

  // The root admin removes users.read; the member's next visit is refused.
  await page.goto(roleUrl);
  await page.getByRole("checkbox", { name: /^users\.read / }).uncheck();
  await page.getByRole("button", { name: "Save role" }).click();
  await expect(page.getByText("Role saved.")).toBeVisible();
  await member.goto("/admin/users");
  await expect(member.getByRole("alert")).toContainText("You do not have permission");
  await member.goto("/admin");
  await expect(member.getByRole("link", { name: "Users" })).toHaveCount(0);
  await context.close();
  expect(scriptErrors).toEqual([]);
});
