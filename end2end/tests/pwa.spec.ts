import { chromium, expect, test } from "@playwright/test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createUser } from "./helpers";

const PASSWORD = "installable app passphrase";

// Installability and the offline shell need a persistent profile: Chromium reports an
// incognito context as not installable.
test("the panel installs, opens offline after one visit, and never stores server-function answers", async () => {
  const baseURL = process.env.GATEHOUSE_E2E_URL!;
  const profile = mkdtempSync(join(tmpdir(), "gatehouse-pwa-"));
  const config = test.info().project.use;
  const context = await chromium.launchPersistentContext(profile, {
    ...(config.launchOptions ?? {}),
    baseURL,
  });
  try {
    const page = context.pages()[0] ?? (await context.newPage());
    const username = createUser("pwa", PASSWORD);

    // One visit: the service worker installs and takes control.
    await page.goto("/login");
    await page.evaluate(() => navigator.serviceWorker.ready.then(() => true));
    const cdp = await context.newCDPSession(page);
    await expect
      .poll(async () => (await cdp.send("Page.getInstallabilityErrors")).installabilityErrors)
      .toEqual([]);

    // A normal session: server functions are called and pages load while the worker watches.
    await page.reload();
    await expect.poll(() => page.evaluate(() => !!navigator.serviceWorker.controller)).toBe(true);
    await page.getByLabel("Username or email").fill(username);
    await page.getByLabel("Password").fill(PASSWORD);
    await page.getByRole("button", { name: "Sign in" }).click();
    await expect(page.getByRole("heading", { name: "Your servers" })).toBeVisible();
    await page.goto("/account");
    await expect(page.getByRole("heading", { name: "Your account" })).toBeVisible();

    // The cache holds the shell and nothing that a server function or a page answered.
    const cached: string[] = await page.evaluate(async () => {
      const urls: string[] = [];
      for (const name of await caches.keys()) {
        const cache = await caches.open(name);
        for (const request of await cache.keys()) urls.push(new URL(request.url).pathname);
      }
      return urls;
    });
    expect(cached).toContain("/offline");
    expect(cached.some((path) => /^\/pkg\/.*\.wasm$/.test(path))).toBe(true);
    expect(cached.some((path) => /^\/pkg\/.*\.css$/.test(path))).toBe(true);
    expect(cached.filter((path) => path.startsWith("/api/"))).toEqual([]);
    expect(cached.filter((path) => ["/", "/login", "/account", "/servers"].includes(path))).toEqual([]);

    // The build's files come compressed and, named by their contents, cached for a year.
    const wasmPath = cached.find((path) => /^\/pkg\/.*\.wasm$/.test(path))!;
    for (const encoding of ["br", "gzip"]) {
      const response = await page.request.get(wasmPath, { headers: { "accept-encoding": encoding } });
      expect(response.status()).toBe(200);
      expect(response.headers()["content-encoding"]).toBe(encoding);
      expect(response.headers()["cache-control"]).toContain("immutable");
    }

    // Offline: reloading shows the offline page, with a way to try again.
    await context.setOffline(true);
    await page.reload();
    await expect(page.getByRole("heading", { name: "Gatehouse is offline" })).toBeVisible();
    await expect(page.getByRole("status")).toContainText("Check your connection");
    const retry = page.getByRole("link", { name: "Retry" });
    await expect(retry).toBeVisible();

    // Back online: retrying returns to the panel, which works again.
    await context.setOffline(false);
    await retry.click();
    await expect(page.getByRole("heading", { name: "Your account" })).toBeVisible();
    await page.getByRole("link", { name: "Servers" }).click();
    await expect(page.getByRole("heading", { name: "Your servers" })).toBeVisible();
  } finally {
    await context.close();
    rmSync(profile, { recursive: true, force: true });
  }
});
