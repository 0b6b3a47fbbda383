import { expect, test } from "@playwright/test";
import { call, createServer, createUser, seedNode, signIn } from "./helpers";

const PASSWORD = "impersonating admin passphrase";

test("an admin impersonates a sub-user, sees exactly their servers and tabs, stops, and finds both in the log", async ({ page }) => {
  const scriptErrors: string[] = [];
  page.on("pageerror", (error) => scriptErrors.push(`${page.url()}: ${error.message}`));
  const tag = Date.now().toString(36);
  const root = createUser("impadmin", PASSWORD, true);
  const owner = createUser("impowner", PASSWORD);
  const player = createUser("impplayer", PASSWORD);
  await signIn(page, root, PASSWORD);

  // Two servers of the owner; the player is a sub-user of one of them only.
  const seeded = await seedNode(page, tag, 2);
  const shared = await createServer(page, `Shared ${tag}`, owner, seeded.node, seeded.egg, seeded.free[0]);
  await createServer(page, `Private ${tag}`, owner, seeded.node, seeded.egg, seeded.free[1]);
  await call(page, "/api/servers/subusers/create", {
    server_id: shared.id,
    email: `${player}@example.test`,
    permissions: ["control.console", "activity.read"],
  });

  // Impersonate from the user's admin page.
  await page.goto(`/admin/users?q=${player}`);
  await page.getByRole("link", { name: player }).click();
  await page.getByRole("button", { name: "Impersonate" }).click();
  await expect(page).toHaveURL(/\/servers$/);
  const banner = page.getByRole("status").filter({ hasText: "You are acting as" });
  await expect(banner).toContainText(`${player} (impersonated by ${root})`);

  // Exactly the player's servers and tabs.
  await expect(page.getByRole("heading", { level: 2 })).toHaveText([`Shared ${tag}`]);
  await page.getByRole("link", { name: `Shared ${tag}` }).click();
  await expect(page.getByRole("navigation", { name: "Server" }).getByRole("link")).toHaveText(["Overview", "Activity"]);
  await page.goto(`/servers/${shared.id}/subusers`);
  await expect(page.getByText("You do not have access to this part of the server.")).toBeVisible();
  await expect(page.getByRole("link", { name: "Admin" })).toHaveCount(0);
  // The player's own credentials are off limits.
  await page.goto("/account");
  await expect(banner).toBeVisible();

  // Stop: back to the admin, banner gone.
  await page.getByRole("button", { name: "Stop impersonating" }).click();
  await expect(page).toHaveURL(/\/admin\/users$/);
  await expect(page.getByText("You are acting as")).toHaveCount(0);

  // Both ends in the admin log, filtered by the admin's name.
  await page.goto(`/admin/activity?actor=${root}`);
  await expect(page.getByRole("cell", { name: "Started impersonating a user" })).toBeVisible();
  await expect(page.getByRole("cell", { name: "Stopped impersonating a user" })).toBeVisible();
  await page.getByText(/^Event \d+$/).first().click();
  await expect(page.locator("details[open] pre")).toContainText(player);
  expect(scriptErrors).toEqual([]);
});
