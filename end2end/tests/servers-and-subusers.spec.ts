import { expect, test } from "@playwright/test";
import { createServer, createUser, seedNode, signIn, waitForMail } from "./helpers";

const PASSWORD = "server owner passphrase";
const FRIEND_PASSWORD = "invited friend passphrase";

test("an owner invites a person by email, who sees only the granted tabs until removed", async ({ page, browser }) => {
  const scriptErrors: string[] = [];
  page.on("pageerror", (error) => scriptErrors.push(`owner ${page.url()}: ${error.message}`));

  // A root admin sets up a location, a node with an address, an egg and a server for the owner.
  const tag = Date.now().toString(36);
  const root = createUser("serversroot", PASSWORD, true);
  const owner = createUser("owner", PASSWORD);
  const admin = await browser.newContext();
  const adminPage = await admin.newPage();
  await signIn(adminPage, root, PASSWORD);
  const seeded = await seedNode(adminPage, tag, 1);
  const server = await createServer(adminPage, `Survival ${tag}`, owner, seeded.node, seeded.egg, seeded.free[0]);
  await admin.close();

  // The owner finds the server and adds a person who has no account yet.
  await signIn(page, owner, PASSWORD);
  await page.getByRole("link", { name: `Survival ${tag}` }).click();
  await expect(page).toHaveURL(new RegExp(`/servers/${server.id}$`));
  await page.getByRole("link", { name: "Sub-users" }).click();
  await expect(page.getByText("Nobody else has access to this server.")).toBeVisible();
  const email = `friend.${tag}@example.test`;
  await page.getByLabel("Email address").fill(email);
  await page.getByRole("checkbox", { name: /^control\.console / }).check();
  await page.getByRole("checkbox", { name: /^settings\.rename / }).check();
  await page.getByRole("button", { name: "Add sub-user" }).click();
  await expect(page.getByRole("status").filter({ hasText: "was added" })).toBeVisible();
  await expect(page.getByText(email)).toBeVisible();

  // The invitation arrives with a link to set a password.
  const mail = await waitForMail(email, /invited to the server/);
  const link = mail.match(/http:\/\/127\.0\.0\.1:\d+\/password\/set\?token=[0-9a-f]{64}/)?.[0];
  expect(link, mail).toBeTruthy();
  const username = `friend.${tag}`;

  const context = await browser.newContext();
  const friend = await context.newPage();
  friend.on("pageerror", (error) => scriptErrors.push(`friend ${friend.url()}: ${error.message}`));
  await friend.goto(link!);
  await friend.getByLabel("New password").fill(FRIEND_PASSWORD);
  await friend.getByRole("button", { name: "Set password" }).click();
  await expect(friend).toHaveURL(/\/login$/);
  await signIn(friend, username, FRIEND_PASSWORD);

  // Exactly the granted tabs: the overview and settings, nothing else.
  await friend.getByRole("link", { name: `Survival ${tag}` }).click();
  const tabs = friend.getByRole("navigation", { name: "Server" });
  await expect(tabs.getByRole("link")).toHaveText(["Overview", "Settings"]);
  await expect(friend.getByRole("button", { name: "Open console" })).toBeVisible();
  await expect(friend.getByRole("button", { name: "Open files" })).toHaveCount(0);
  await friend.getByRole("button", { name: "Open console" }).click();
  await expect(friend.getByRole("status").filter({ hasText: "Access granted" })).toContainText("https://node.example.test:8080");
  await tabs.getByRole("link", { name: "Settings" }).click();
  await friend.getByLabel("Name").fill(`Survival ${tag} renamed`);
  await friend.getByRole("button", { name: "Save" }).click();
  await expect(friend.getByText("Saved.")).toBeVisible();
  // A tab opened by its address without the key shows nothing of the server.
  await friend.goto(`/servers/${server.id}/subusers`);
  await expect(friend.getByText("You do not have access to this part of the server.")).toBeVisible();

  // The owner sees the rename in the activity and removes the person, after a confirmation.
  await page.goto(`/servers/${server.id}/activity`);
  await expect(page.getByRole("cell", { name: "Renamed the server" })).toBeVisible();
  await page.goto(`/servers/${server.id}/subusers`);
  await page.getByRole("button", { name: "Remove" }).click();
  await expect(page.getByRole("button", { name: "Confirm removal" })).toBeFocused();
  await page.getByRole("button", { name: "Confirm removal" }).click();
  await expect(page.getByText("Nobody else has access to this server.")).toBeVisible();

  // The very next request of the removed person finds nothing.
  await friend.goto(`/servers/${server.id}`);
  await expect(friend.getByRole("alert")).toContainText("Not found.");
  await expect(friend.getByRole("navigation", { name: "Server" })).toHaveCount(0);
  await friend.goto("/servers");
  await expect(friend.getByText("No servers to show.")).toBeVisible();
  await context.close();
  expect(scriptErrors).toEqual([]);
});
