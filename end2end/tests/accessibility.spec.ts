import { Browser, expect, Page, test } from "@playwright/test";
import { join } from "node:path";
import { call, createServer, createUser, seedNode, signIn } from "./helpers";

const PASSWORD = "accessible panel passphrase";
const AXE = join(__dirname, "..", "node_modules", "axe-core", "axe.min.js");
const TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"];

type Finding = string;

/// Loads `path`, then checks it with axe-core in the light and the dark theme, and at 320 px
/// wide for content that would need sideways scrolling. Returns what it found.
async function audit(page: Page, who: string, path: string): Promise<Finding[]> {
  const findings: Finding[] = [];
  await page.setViewportSize({ width: 1280, height: 800 });
  await page.goto(path);
  await page.waitForLoadState("networkidle");
  await expect(page.locator("main").first()).toBeVisible();
  await page.addScriptTag({ path: AXE });
  for (const colorScheme of ["light", "dark"] as const) {
    await page.emulateMedia({ colorScheme });
    const results: any = await page.evaluate(
      (tags) => (window as any).axe.run(document, { runOnly: { type: "tag", values: tags } }),
      TAGS,
    );
    for (const violation of results.violations) {
      const targets = violation.nodes.slice(0, 3).map((node: any) => node.target.join(" ")).join(" | ");
      findings.push(`${who} ${path} [${colorScheme}] ${violation.id}: ${violation.help} (${targets})`);
    }
  }
  await page.emulateMedia({ colorScheme: "light" });
  await page.setViewportSize({ width: 320, height: 640 });
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth);
  if (overflow > 320) {
    const widest = await page.evaluate(() =>
      Array.from(document.querySelectorAll("body *"))
        .filter((element) => element.getBoundingClientRect().right > 321)
        .slice(-3)
        .map((element) => `${element.tagName.toLowerCase()}.${element.className}: ${(element.textContent ?? "").slice(0, 30)}`),
    );
    findings.push(`${who} ${path} [320px] the page is ${overflow}px wide (${widest.join("; ")})`);
  }
  return findings;
}

async function signedIn(browser: Browser, username: string) {
  // axe is injected as a script, which the panel's Content-Security-Policy would refuse.
  const context = await browser.newContext({ bypassCSP: true });
  const page = await context.newPage();
  await signIn(page, username, PASSWORD);
  return { context, page };
}

test("every page has no accessibility violation in either theme and fits 320 px", async ({ browser }) => {
  test.setTimeout(300_000);
  const tag = Date.now().toString(36);
  const rootName = createUser("a11yroot", PASSWORD, true);
  const ownerName = createUser("a11yowner", PASSWORD);
  const findings: Finding[] = [];

  // Someone signed out.
  const anonymous = await browser.newContext({ bypassCSP: true });
  const visitor = await anonymous.newPage();
  for (const path of ["/login", "/password/forgot", "/password/set?token=unknown", "/no-such-page", "/offline"]) {
    findings.push(...(await audit(visitor, "signed out", path)));
  }
  await anonymous.close();

  // A root admin, with one of everything the admin areas list.
  const admin = await signedIn(browser, rootName);
  const seeded = await seedNode(admin.page, tag, 2);
  const server = await createServer(admin.page, `Accessible ${tag}`, ownerName, seeded.node, seeded.egg, seeded.free[0]);
  const role = await call(admin.page, "/api/admin/roles/create", {
    input: { name: `Support ${tag}`, description: "Helps users", admin_permissions: ["users.read"], server_permissions: ["control.console"] },
  });
  const backup = await call(admin.page, "/api/admin/backup-configurations/create", {
    input: { name: `Offsite ${tag}`, kind: "restic", repository: "s3:https://backup.example.test/repo", secret: "restic repository password" },
  });
  const adminPaths = [
    "/admin", "/admin/settings", "/admin/activity",
    "/admin/roles", "/admin/roles/new", `/admin/roles/${role.id}`,
    "/admin/users", "/admin/users/new",
    "/admin/locations", `/admin/locations/${seeded.location}`,
    "/admin/nodes", "/admin/nodes/new", `/admin/nodes/${seeded.node}`,
    "/admin/nests", `/admin/nests/${seeded.nest}`, `/admin/eggs/new?nest=${seeded.nest}`, `/admin/eggs/${seeded.egg}`,
    "/admin/backup-configurations", "/admin/backup-configurations/new", `/admin/backup-configurations/${backup.id}`,
    "/admin/servers", "/admin/servers/new", `/admin/servers/${server.id}`,
  ];
  for (const path of adminPaths) findings.push(...(await audit(admin.page, "admin", path)));
  // A user's admin page, reached the way an admin would.
  await admin.page.goto("/admin/users");
  await admin.page.getByRole("link", { name: ownerName }).first().click();
  await expect(admin.page).toHaveURL(/\/admin\/users\/\d+$/);
  findings.push(...(await audit(admin.page, "admin", new URL(admin.page.url()).pathname)));
  await admin.context.close();

  // A user who owns a server.
  const user = await signedIn(browser, ownerName);
  for (const path of [
    "/", "/servers", `/servers/${server.id}`, `/servers/${server.id}/settings`, `/servers/${server.id}/startup`,
    `/servers/${server.id}/subusers`, `/servers/${server.id}/activity`,
    "/account", "/account/security", "/account/activity",
  ]) {
    findings.push(...(await audit(user.page, "user", path)));
  }
  await user.context.close();

  expect(findings, findings.join("\n")).toEqual([]);
});
