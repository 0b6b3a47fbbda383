import { execFileSync } from "node:child_process";
import { createHmac } from "node:crypto";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { Browser, expect, Page } from "@playwright/test";

let counter = 0;

/// Creates an account with the command line, as an operator would, and returns its username.
export function createUser(prefix: string, password: string, admin = false): string {
  counter += 1;
  const username = `${prefix}${Date.now().toString(36)}${counter}`;
  const args = [
    "user", "create",
    "--username", username,
    "--email", `${username}@example.test`,
    "--first-name", "Test",
    "--last-name", prefix,
    "--password-stdin",
  ];
  if (admin) args.push("--admin");
  execFileSync(process.env.GATEHOUSE_BIN!, args, {
    input: `${password}\n`,
    env: {
      ...process.env,
      GATEHOUSE_DATABASE_URL: process.env.GATEHOUSE_E2E_DATABASE_URL!,
      GATEHOUSE_LOG: "warn",
    },
  });
  return username;
}

/// Signs in through the form and waits for the landing page.
export async function signIn(page: Page, username: string, password: string) {
  await page.goto("/login");
  await page.getByLabel("Username or email").fill(username);
  await page.getByLabel("Password").fill(password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByRole("heading", { name: "Your servers" })).toBeVisible();
}

/// The same user signed in from two separate browsers; `close` ends both.
export async function twoBrowsers(browser: Browser, username: string, password: string) {
  const first = await browser.newContext();
  const second = await browser.newContext();
  const a = await first.newPage();
  const b = await second.newPage();
  await signIn(a, username, password);
  await signIn(b, username, password);
  await a.goto("/account/security");
  await expect(a.getByRole("row")).toHaveCount(3); // header + two sessions
  const close = async () => {
    await first.close();
    await second.close();
  };
  return { a, b, close };
}

/// RFC 6238 TOTP (HMAC-SHA1, 6 digits, 30 s) for a base32 secret at a given 30-second step.
export function totpAt(secret: string, step: number): string {
  const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
  let bits = "";
  for (const c of secret.replace(/=+$/, "").toUpperCase()) {
    bits += alphabet.indexOf(c).toString(2).padStart(5, "0");
  }
  const bytes = Buffer.alloc(Math.floor(bits.length / 8));
  for (let i = 0; i < bytes.length; i++) bytes[i] = parseInt(bits.slice(i * 8, i * 8 + 8), 2);
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(step));
  const mac = createHmac("sha1", bytes).update(counter).digest();
  const offset = mac[mac.length - 1] & 0xf;
  const value = (mac.readUInt32BE(offset) & 0x7fffffff) % 1_000_000;
  return value.toString().padStart(6, "0");
}

export const currentStep = () => Math.floor(Date.now() / 1000 / 30);

/// Decodes the text/plain part of a raw message (7bit, quoted-printable or base64).
function plainText(raw: string): string {
  const boundary = raw.match(/boundary="?([^";\r\n]+)"?/i)?.[1];
  const parts = boundary ? raw.split(`--${boundary}`) : [raw];
  const part = parts.find((p) => /content-type:\s*text\/plain/i.test(p)) ?? raw;
  const split = part.indexOf("\r\n\r\n");
  const headers = part.slice(0, split);
  const body = part.slice(split + 4);
  const encoding = headers.match(/content-transfer-encoding:\s*(\S+)/i)?.[1]?.toLowerCase();
  if (encoding === "base64") return Buffer.from(body.replace(/\s+/g, ""), "base64").toString("utf8");
  if (encoding === "quoted-printable") {
    const bytes = body
      .replace(/=\r\n/g, "")
      .replace(/=([0-9A-F]{2})/gi, (_, hex) => String.fromCharCode(parseInt(hex, 16)));
    return Buffer.from(bytes, "latin1").toString("utf8");
  }
  return body;
}

/// Waits for a message to `to` received over SMTP and returns its decoded text.
export async function waitForMail(to: string, subject: RegExp): Promise<string> {
  const dir = process.env.GATEHOUSE_E2E_MAIL_DIR!;
  for (let attempt = 0; attempt < 100; attempt++) {
    for (const file of readdirSync(dir).sort().reverse()) {
      const raw = readFileSync(join(dir, file), "utf8");
      const header = raw.slice(0, raw.indexOf("\r\n\r\n"));
      if (header.includes(to) && subject.test(header)) return plainText(raw);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`no mail to ${to} matching ${subject}`);
}

/// Calls a server function from the signed-in page, as its own scripts would.
export async function call(page: Page, path: string, body: unknown): Promise<any> {
  return page.evaluate(
    async ([path, body]) => {
      const response = await fetch(path as string, {
        method: "POST",
        headers: { "content-type": "application/json", accept: "application/json" },
        body: JSON.stringify(body),
      });
      const text = await response.text();
      if (!response.ok) throw new Error(`${path}: ${response.status} ${text}`);
      return JSON.parse(text);
    },
    [path, body],
  );
}

/// As a signed-in root admin: a location, a node with `ports` free addresses, a nest and an
/// egg, ready for servers. Returns the ids a server needs.
export async function seedNode(page: Page, tag: string, ports: number) {
  const location = await call(page, "/api/admin/locations/create", { input: { short_code: `loc-${tag}` } });
  const node = await call(page, "/api/admin/nodes/create", {
    input: { name: `node-${tag}`, location_id: location.id, fqdn: "node.example.test", memory_mb: 8192, disk_mb: 8192 },
  });
  await call(page, "/api/admin/nodes/allocations/add", { id: node.node_id, ip: "10.0.0.1", ports: `25565-${25564 + ports}` });
  const nest = await call(page, "/api/admin/nests/create", { input: { name: `nest-${tag}` } });
  const egg = await call(page, "/api/admin/eggs/create", {
    input: { nest_id: nest.id, name: "Vanilla", docker_images: ["ghcr.io/example/java:21"], startup: "java -jar server.jar" },
  });
  const choices = await page.evaluate(async () => (await fetch("/api/admin/servers/options", { headers: { accept: "application/json" } })).json());
  const free: number[] = choices.nodes.find((n: any) => n.id === node.node_id).free.map((a: any) => a.id);
  return { location: location.id as number, nest: nest.id as number, node: node.node_id as number, egg: egg.id as number, free };
}

/// As a signed-in root admin: a server named `name` for `owner` on an address from `seedNode`.
export async function createServer(page: Page, name: string, owner: string, node: number, egg: number, allocation: number) {
  return call(page, "/api/admin/servers/create", {
    input: {
      name, owner, node_id: node, allocation_id: allocation, egg_id: egg,
      docker_image: "ghcr.io/example/java:21", memory_mb: 1024, disk_mb: 1024, cpu_percent: 100,
    },
  });
}
