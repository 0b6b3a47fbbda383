import { defineConfig } from "@playwright/test";

// Gatehouse's browser tests run against the release binary that `cargo leptos build --release`
// produced, started by global-setup.ts on a fresh SQLite database, in Debian's Chromium.
export default defineConfig({
  testDir: "./tests",
  timeout: 60_000,
  expect: { timeout: 10_000 },
  fullyParallel: false,
  workers: 1,
  retries: 0,
  reporter: [["list"]],
  globalSetup: "./global-setup.ts",
  // The first run needs the empty panel; everything else comes after it.
  projects: [
    { name: "first-run", testMatch: /first-run\.spec\.ts/ },
    { name: "panel", testIgnore: /first-run\.spec\.ts/, dependencies: ["first-run"] },
  ],
  use: {
    baseURL: process.env.GATEHOUSE_E2E_URL ?? "http://127.0.0.1:3210",
    trace: "off",
    launchOptions: {
      executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
      args: [
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
      ],
    },
  },
});
