import { spawn } from "node:child_process";
import { mkdtempSync, openSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { startSmtpReceiver } from "./smtp-receiver";

// Starts the release binary on a fresh SQLite database in a scratch folder and waits until
// /healthz answers. The server's log goes to a file so tests can read the setup token from it,
// as an operator would.
export default async function globalSetup() {
  const root = resolve(__dirname, "..");
  const dir = mkdtempSync(join(tmpdir(), "gatehouse-e2e-"));
  const port = process.env.GATEHOUSE_E2E_PORT ?? "3210";
  const url = `http://127.0.0.1:${port}`;
  const logPath = join(dir, "server.log");
  const log = openSync(logPath, "w");
  const binary = process.env.GATEHOUSE_BIN ?? join(root, "target/release/gatehouse");
  // The panel sends its mail over real SMTP to a receiver on loopback.
  const mailDir = join(dir, "smtp");
  const smtp = await startSmtpReceiver(mailDir);

  const server = spawn(binary, ["serve"], {
    cwd: dir,
    env: {
      ...process.env,
      GATEHOUSE_DATABASE_URL: `sqlite:${join(dir, "gatehouse.db")}`,
      GATEHOUSE_LISTEN: `127.0.0.1:${port}`,
      GATEHOUSE_PUBLIC_URL: url,
      GATEHOUSE_SMTP_URL: `smtp://127.0.0.1:${smtp.port}`,
      GATEHOUSE_SITE_ROOT: process.env.GATEHOUSE_E2E_SITE_ROOT ?? join(root, "target/site"),
      GATEHOUSE_LOG: "info",
      NO_COLOR: "1",
    },
    stdio: ["ignore", log, log],
  });

  process.env.GATEHOUSE_E2E_URL = url;
  process.env.GATEHOUSE_E2E_LOG = logPath;
  process.env.GATEHOUSE_E2E_DIR = dir;
  process.env.GATEHOUSE_E2E_DATABASE_URL = `sqlite:${join(dir, "gatehouse.db")}`;
  process.env.GATEHOUSE_BIN = binary;
  process.env.GATEHOUSE_E2E_MAIL_DIR = mailDir;

  const deadline = Date.now() + 30_000;
  for (;;) {
    try {
      const response = await fetch(`${url}/healthz`);
      if (response.ok) break;
    } catch {
      // not listening yet
    }
    if (server.exitCode !== null) throw new Error(`gatehouse exited early; see ${logPath}`);
    if (Date.now() > deadline) throw new Error(`gatehouse did not become ready; see ${logPath}`);
    await new Promise((r) => setTimeout(r, 200));
  }

  return async () => {
    server.kill("SIGTERM");
    smtp.server.close();
  };
}
