import { BrowserContext, expect, Page, test } from "@playwright/test";
import { createUser, signIn } from "./helpers";

const PASSWORD = "admin areas root passphrase";
const OWNER_PASSWORD = "admin areas owner passphrase";

// The second test loads every page the first one made, so they run in order on one panel.
test.describe.configure({ mode: "serial" });

const tag = Date.now().toString(36);
const names = {
  location: `loc-${tag}`,
  node: `node-${tag}`,
  nest: `Nest ${tag}`,
  egg: `Vanilla ${tag}`,
  backup: `Offsite ${tag}`,
  server: `Survival ${tag}`,
};
let root = "";
let owner = "";
// The pages the first test made, by what they are.
const made: Record<string, string> = {};

/// Marks each document once its WebAssembly has been instantiated and the hydration that the
/// loader starts right after it has run, so a click never lands on a server-rendered button that
/// has no handler yet. The panel itself offers no such signal.
async function markHydration(context: BrowserContext) {
  await context.addInitScript(() => {
    const w = window as any;
    w.__wasm = [] as string[];
    for (const name of ["instantiateStreaming", "instantiate"] as const) {
      const original = (WebAssembly as any)[name].bind(WebAssembly);
      (WebAssembly as any)[name] = (...args: unknown[]) => {
        w.__wasm.push(`${name} called at ${Math.round(performance.now())} ms`);
        const result = original(...args);
        result.then(
          () => {
            w.__wasm.push(`${name} done at ${Math.round(performance.now())} ms`);
            // The loader hydrates in the promise callbacks that follow; a task later it is done.
            setTimeout(() => (w.__hydrated = true), 50);
          },
          (error: unknown) => w.__wasm.push(`${name} failed: ${error}`),
        );
        return result;
      };
    }
  });
}

/// Waits until the current document is hydrated; if it never is, says how far the script got.
///
/// Known problem, not yet understood: now and then (about once in a full browser run here)
/// a document's module script never instantiates the WebAssembly, although both files were
/// fetched, and the page stays server-rendered until reloaded. The wait reloads such a page
/// once, and says so in the output, so the stall is seen without failing the flows it blocks.
async function hydrated(page: Page) {
  try {
    await page.waitForFunction(() => (window as any).__hydrated === true, null, { timeout: 15_000 });
    return;
  } catch {
    console.warn(`${page.url()} did not hydrate within 15 s; reloading it once`);
    await page.reload();
  }
  try {
    await page.waitForFunction(() => (window as any).__hydrated === true, null, { timeout: 30_000 });
  } catch (error) {
    const state = await page
      .evaluate(() => ({
        wasm: (window as any).__wasm,
        resources: performance
          .getEntriesByType("resource")
          .filter((e) => /\/pkg\//.test(e.name))
          .map((e) => `${e.name} ${Math.round(e.duration)} ms`),
      }))
      .catch((e) => String(e));
    throw new Error(`${page.url()} did not hydrate: ${JSON.stringify(state)}\n${error}`);
  }
}

/// Loads a page by its address and waits for hydration.
async function open(page: Page, path: string) {
  await page.goto(path);
  await hydrated(page);
}

/// Collects script errors of a page; a hydration crash shows as a pageerror ("unreachable").
function watch(page: Page, who: string, errors: string[]) {
  page.on("pageerror", (error) => errors.push(`${who} ${page.url()}: ${error.message}`));
}

test("a root admin sets up a location, node, egg and backup target, then a server for a user", async ({ page, browser }) => {
  test.setTimeout(120_000);
  const scriptErrors: string[] = [];
  watch(page, "root", scriptErrors);
  await markHydration(page.context());
  root = createUser("areasroot", PASSWORD, true);
  owner = createUser("areasowner", OWNER_PASSWORD);
  await signIn(page, root, PASSWORD);
  await hydrated(page);

  // A location, from the admin index.
  await page.getByRole("link", { name: "Admin" }).click();
  await expect(page).toHaveURL(/\/admin$/);
  await hydrated(page);
  await page.getByRole("main").getByRole("link", { name: "Locations" }).click();
  await expect(page).toHaveURL(/\/admin\/locations$/);
  await hydrated(page);
  await expect(page.getByRole("heading", { name: "Locations", level: 1 })).toBeVisible();
  await page.getByLabel("Short code").fill(names.location);
  await page.getByLabel("Description").fill("The test hall");
  await page.getByRole("button", { name: "Create location" }).click();
  await expect(page.getByRole("status").filter({ hasText: `Location ${names.location} created.` })).toBeVisible();
  await expect(page.getByLabel("Short code")).toHaveValue("");
  const locationLink = page.getByRole("link", { name: names.location, exact: true });
  await expect(locationLink).toBeVisible();
  made.location = (await locationLink.getAttribute("href"))!;

  // A node in it; its daemon secret is shown once.
  await open(page, "/admin");
  await page.getByRole("main").getByRole("link", { name: "Nodes" }).click();
  await expect(page).toHaveURL(/\/admin\/nodes$/);
  await hydrated(page);
  await page.getByRole("link", { name: "New node" }).click();
  await expect(page).toHaveURL(/\/admin\/nodes\/new$/);
  await hydrated(page);
  await page.getByLabel("Name", { exact: true }).fill(names.node);
  await page.getByLabel("Location", { exact: true }).selectOption({ label: names.location });
  await page.getByLabel("Host name or IP address").fill(`${names.node}.example.test`);
  await page.getByLabel("Daemon port").fill("8080");
  await page.getByLabel("Memory (MiB)", { exact: true }).fill("8192");
  await page.getByLabel("Disk (MiB)", { exact: true }).fill("16384");
  await page.getByRole("button", { name: "Create node" }).click();
  await expect(page.getByRole("heading", { name: "Node created" })).toBeVisible();
  await expect(page.getByText("it will not be shown again")).toBeVisible();
  const secret = await page.getByRole("textbox", { name: "Daemon secret" }).inputValue();
  expect(secret).toMatch(/^[0-9a-f]{32,}$/);
  const nodeLink = page.getByRole("link", { name: "Go to the node's page" });
  made.node = (await nodeLink.getAttribute("href"))!;
  expect(made.node).toMatch(/^\/admin\/nodes\/\d+$/);
  // Reloaded, the page offers a new form and the secret is gone for good.
  await page.reload();
  await hydrated(page);
  await expect(page.getByRole("button", { name: "Create node" })).toBeVisible();
  await expect(page.getByRole("textbox", { name: "Daemon secret" })).toHaveCount(0);
  expect(await page.content()).not.toContain(secret);

  // The node's page: never the secret, and three addresses added.
  await open(page, "/admin/nodes");
  await page.getByRole("link", { name: names.node, exact: true }).click();
  await expect(page).toHaveURL(new RegExp(`${made.node}$`));
  await hydrated(page);
  await expect(page.getByRole("heading", { name: `Node ${names.node}` })).toBeVisible();
  await expect(page.getByRole("button", { name: "Generate new secret" })).toBeVisible();
  await expect(page.getByRole("textbox", { name: "Daemon secret" })).toHaveCount(0);
  expect(await page.content()).not.toContain(secret);
  await expect(page.getByText("No allocations yet.")).toBeVisible();
  await page.getByLabel("IP address", { exact: true }).fill("10.20.30.40");
  await page.getByLabel("Ports").fill("25565-25567");
  await page.getByRole("button", { name: "Add allocations" }).click();
  await expect(page.getByRole("status").filter({ hasText: "3 allocation(s) added." })).toBeVisible();
  const allocations = page.getByRole("table", { name: "Allocations" });
  await expect(allocations.getByRole("button", { name: /^Remove 10\.20\.30\.40:2556[5-7]$/ })).toHaveCount(3);
  // A bad port is refused next to the field, with the range.
  await page.getByLabel("Ports").fill("25568, 70000");
  await page.getByRole("button", { name: "Add allocations" }).click();
  await expect(page.locator("#allocation-ports-error")).toContainText("is not a port from 1 to 65535");
  await expect(allocations.getByRole("row")).toHaveCount(4); // header + three

  // A nest and an egg with one variable.
  await open(page, "/admin");
  await page.getByRole("main").getByRole("link", { name: "Nests and eggs" }).click();
  await expect(page).toHaveURL(/\/admin\/nests$/);
  await hydrated(page);
  await page.getByLabel("Name", { exact: true }).fill(names.nest);
  await page.getByRole("button", { name: "Create nest" }).click();
  await expect(page.getByRole("status").filter({ hasText: `Nest ${names.nest} created.` })).toBeVisible();
  const nest = page.getByRole("region", { name: names.nest, exact: true });
  await expect(nest.getByText("No eggs in this nest.")).toBeVisible();
  made.nest = (await nest.getByRole("link", { name: "Edit nest" }).getAttribute("href"))!;
  await nest.getByRole("link", { name: "New egg in this nest" }).click();
  await expect(page).toHaveURL(/\/admin\/eggs\/new\?nest=\d+$/);
  await hydrated(page);
  made.newEgg = new URL(page.url()).pathname + new URL(page.url()).search;
  await expect(page.getByLabel("Nest", { exact: true })).toHaveValue(made.newEgg.split("nest=")[1]);
  await page.getByLabel("Name", { exact: true }).fill(names.egg);
  await page.getByLabel("Docker images").fill("ghcr.io/example/java:21\nghcr.io/example/java:17");
  await page.getByLabel("Startup command").fill("java -jar server.jar");
  await page.getByRole("button", { name: "Add variable" }).click();
  const fresh = page.getByRole("group", { name: "New variable" });
  await expect(fresh.getByLabel("Name", { exact: true })).toBeFocused();
  await page.keyboard.type("Message of the day");
  const variable = page.getByRole("group", { name: "Variable Message of the day" });
  await variable.getByLabel("Environment name").fill("MOTD");
  await variable.getByLabel("Rules").fill("required|string|max:20");
  // The default is checked against the rules while it is typed.
  await variable.getByLabel("Default value").fill("a default far longer than twenty");
  await expect(page.locator(`#${await variable.getByLabel("Default value").getAttribute("id")}-error`)).not.toBeEmpty();
  await variable.getByLabel("Default value").fill("Welcome");
  await variable.getByLabel("Server users may change it").check();
  await page.getByRole("button", { name: "Create egg" }).click();
  await expect(page).toHaveURL(/\/admin\/eggs\/\d+$/);
  made.egg = new URL(page.url()).pathname;
  await hydrated(page);
  await expect(page.getByRole("heading", { name: `Egg ${names.egg}` })).toBeVisible();
  await expect(page.getByRole("group", { name: "Variable Message of the day" }).getByLabel("Rules")).toHaveValue("required|string|max:20");

  // A backup target; its secret key is written and never shown.
  const backupSecret = `backup-secret-${tag}-do-not-show`;
  await open(page, "/admin");
  await page.getByRole("main").getByRole("link", { name: "Backup configurations" }).click();
  await expect(page).toHaveURL(/\/admin\/backup-configurations$/);
  await hydrated(page);
  await page.getByRole("link", { name: "New backup configuration" }).click();
  await expect(page).toHaveURL(/\/admin\/backup-configurations\/new$/);
  await hydrated(page);
  await page.getByLabel("Name", { exact: true }).fill(names.backup);
  await page.getByLabel("Kind").selectOption({ label: "S3 bucket" });
  await page.getByLabel("Endpoint").fill("https://s3.example.test");
  await page.getByLabel("Bucket").fill(`backups-${tag}`);
  await page.getByLabel("Access key").fill("AKIAEXAMPLE");
  await page.getByLabel("Secret key").fill(backupSecret);
  await page.getByRole("button", { name: "Create backup configuration" }).click();
  await expect(page).toHaveURL(/\/admin\/backup-configurations\/\d+$/);
  made.backup = new URL(page.url()).pathname;
  await hydrated(page);
  await expect(page.getByText("A secret is stored; it is never shown.")).toBeVisible();
  await expect(page.getByLabel(/^Secret key/)).toHaveValue("");
  expect(await page.content()).not.toContain(backupSecret);
  await page.reload();
  await hydrated(page);
  await expect(page.getByLabel(/^Secret key/)).toHaveValue("");
  expect(await page.content()).not.toContain(backupSecret);

  // A server for the user, on the node's first address, with the egg's variable.
  await open(page, "/admin");
  await page.getByRole("main").getByRole("link", { name: "Servers" }).click();
  await expect(page).toHaveURL(/\/admin\/servers$/);
  await hydrated(page);
  await page.getByRole("link", { name: "New server" }).click();
  await expect(page).toHaveURL(/\/admin\/servers\/new$/);
  await hydrated(page);
  await page.getByLabel("Name", { exact: true }).fill(names.server);
  await page.getByLabel("Owner").fill(owner);
  await expect(page.getByLabel("Address")).toBeDisabled();
  await page.getByLabel("Node").selectOption({ label: `${names.node} (3 free address(es))` });
  await page.getByLabel("Address").selectOption({ label: "10.20.30.40:25565" });
  await page.getByLabel("Egg").selectOption({ label: names.egg });
  await expect(page.getByLabel("Docker image")).toHaveValue("ghcr.io/example/java:21");
  const motd = page.getByRole("group", { name: "Variables" }).getByLabel("Message of the day");
  await expect(motd).toHaveValue("Welcome");
  await motd.fill("Hello from the test");
  await page.getByLabel("Memory (MiB)").fill("2048");
  await page.getByLabel("Disk (MiB)").fill("4096");
  await page.getByLabel("CPU (%)").fill("150");
  await page.getByLabel("Backup configuration").selectOption({ label: names.backup });
  await page.getByRole("button", { name: "Create server" }).click();
  await expect(page).toHaveURL(/\/admin\/servers\/\d+$/);
  made.server = new URL(page.url()).pathname;
  await hydrated(page);
  const serverId = made.server.split("/").pop();
  await expect(page.getByRole("heading", { name: `Server ${names.server}` })).toBeVisible();
  await expect(page.getByLabel("Owner")).toHaveValue(owner);
  await expect(page.getByLabel("Address")).toHaveValue(/.+/);
  await expect(page.getByRole("group", { name: "Variables" }).getByLabel("Message of the day")).toHaveValue("Hello from the test");

  // Suspend, seen after a reload too, then unsuspend.
  const suspension = page.getByRole("region", { name: "Suspension" });
  await suspension.getByRole("button", { name: "Suspend server" }).click();
  await expect(suspension.getByText("This server is suspended")).toBeVisible();
  await expect(suspension.getByRole("button", { name: "Unsuspend server" })).toBeEnabled();
  await open(page, `/admin/servers?q=${encodeURIComponent(names.server)}`);
  await expect(page.getByRole("row").filter({ hasText: names.server })).toContainText("Suspended");
  await open(page, made.server);
  await suspension.getByRole("button", { name: "Unsuspend server" }).click();
  await expect(suspension.getByText("This server is not suspended.")).toBeVisible();
  await page.reload();
  await hydrated(page);
  await expect(suspension.getByRole("button", { name: "Suspend server" })).toBeVisible();

  // Things in use are not deleted, and the refusal says by how many.
  await open(page, made.location);
  await expect(page.getByText("1 node(s) in this location.")).toBeVisible();
  await page.getByRole("button", { name: "Delete location" }).click();
  await expect(page.getByRole("button", { name: "Confirm delete" })).toBeFocused();
  await page.getByRole("button", { name: "Confirm delete" }).click();
  await expect(page.locator("#location-delete-error")).toContainText("This location still has 1 node");
  await expect(page).toHaveURL(new RegExp(`${made.location}$`));
  await open(page, made.node);
  await page.getByRole("button", { name: "Delete node" }).click();
  await expect(page.getByRole("button", { name: "Confirm delete" })).toBeFocused();
  await page.getByRole("button", { name: "Confirm delete" }).click();
  await expect(page.locator("#node-delete-error")).toContainText("1 server");
  await open(page, "/admin/locations");
  await expect(page.getByRole("row").filter({ hasText: names.location })).toBeVisible();

  // The owner finds the server among theirs.
  const context = await browser.newContext();
  await markHydration(context);
  const ownerPage = await context.newPage();
  watch(ownerPage, "owner", scriptErrors);
  await signIn(ownerPage, owner, OWNER_PASSWORD);
  await open(ownerPage, "/servers");
  await ownerPage.getByRole("link", { name: names.server }).click();
  await expect(ownerPage).toHaveURL(new RegExp(`/servers/${serverId}$`));
  await expect(ownerPage.getByRole("navigation", { name: "Server" })).toBeVisible();
  await context.close();

  expect(scriptErrors).toEqual([]);
});

test("every admin page loaded by its address hydrates and answers a button", async ({ page }) => {
  test.setTimeout(120_000);
  const scriptErrors: string[] = [];
  watch(page, "root", scriptErrors);
  await markHydration(page.context());
  await signIn(page, root, PASSWORD);

  /// Loads a page directly, then again with a reload, as someone following a bookmark would.
  const load = async (path: string) => {
    await open(page, path);
    await page.reload();
    await hydrated(page);
  };
  /// Opens a delete confirmation (client-side only) and backs out of it.
  const confirmAndCancel = async (button: string) => {
    await page.getByRole("button", { name: button, exact: true }).click();
    await expect(page.getByRole("button", { name: /^Confirm / })).toBeFocused();
    await page.getByRole("button", { name: "Cancel" }).click();
    await expect(page.getByRole("button", { name: button, exact: true })).toBeVisible();
  };

  await load("/admin");
  await expect(page.getByRole("link", { name: "Backup configurations" })).toBeVisible();

  // A blank code is refused next to the field without leaving the page.
  await load("/admin/locations");
  await page.getByLabel("Short code").fill("   ");
  await page.getByRole("button", { name: "Create location" }).click();
  await expect(page.locator("#new-location-code-error")).toContainText("required");
  await expect(page).toHaveURL(/\/admin\/locations$/);

  await load(made.location);
  await confirmAndCancel("Delete location");

  await load("/admin/nodes");
  await expect(page.getByRole("link", { name: names.node, exact: true })).toBeVisible();
  await page.getByRole("link", { name: "New node" }).click();
  await expect(page.getByRole("heading", { name: "New node" })).toBeVisible();
  await hydrated(page);

  await load("/admin/nodes/new");
  await page.getByLabel("Name", { exact: true }).fill(`never-${tag}`);
  await page.getByLabel("Location", { exact: true }).selectOption({ label: names.location });
  await page.getByLabel("Host name or IP address").fill("never.example.test");
  await page.getByLabel("Daemon port").fill("0");
  await page.getByLabel("Memory (MiB)", { exact: true }).fill("1024");
  await page.getByLabel("Disk (MiB)", { exact: true }).fill("1024");
  await page.getByRole("button", { name: "Create node" }).click();
  await expect(page.locator("#new-node-daemon_port-error")).toContainText("from 1 to 65535");

  await load(made.node);
  await confirmAndCancel("Generate new secret");
  await confirmAndCancel("Delete node");

  await load("/admin/nests");
  await page.getByLabel("Name", { exact: true }).fill("   ");
  await page.getByRole("button", { name: "Create nest" }).click();
  await expect(page.locator("#new-nest-name-error")).toContainText("required");

  await load(made.nest);
  await confirmAndCancel("Delete nest");

  await load(made.newEgg);
  await page.getByRole("button", { name: "Add variable" }).click();
  await expect(page.getByRole("group", { name: "New variable" }).getByLabel("Name", { exact: true })).toBeFocused();

  await load(made.egg);
  await confirmAndCancel("Delete egg");

  await load("/admin/backup-configurations");
  await expect(page.getByRole("link", { name: names.backup })).toBeVisible();
  await load("/admin/backup-configurations/new");
  await page.getByLabel("Kind").selectOption({ label: "Restic repository" });
  await expect(page.getByLabel("Repository", { exact: true })).toBeVisible();
  await expect(page.getByLabel("Repository password")).toBeVisible();

  await load(made.backup);
  await confirmAndCancel("Delete backup configuration");

  await load("/admin/servers");
  await expect(page.getByRole("link", { name: names.server })).toBeVisible();

  await load("/admin/servers/new");
  await expect(page.getByLabel("Address")).toBeDisabled();
  await page.getByLabel("Node").selectOption({ label: `${names.node} (2 free address(es))` });
  await expect(page.getByLabel("Address")).toBeEnabled();

  await load(made.server);
  await confirmAndCancel("Delete server");

  expect(scriptErrors).toEqual([]);
});
