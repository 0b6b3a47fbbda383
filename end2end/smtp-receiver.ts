import { createServer, Server } from "node:net";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";

// A minimal SMTP receiver on loopback (RFC 5321 without extensions): it accepts every
// message and writes each one, raw, to `dir` as <n>.eml, so browser tests can read the mail
// the panel really sent over SMTP.
export function startSmtpReceiver(dir: string): Promise<{ server: Server; port: number }> {
  mkdirSync(dir, { recursive: true });
  let count = 0;
  const server = createServer((socket) => {
    let buffer = "";
    let inData = false;
    let message = "";
    const reply = (line: string) => socket.write(`${line}\r\n`);
    reply("220 localhost SMTP test receiver");
    socket.on("data", (chunk) => {
      buffer += chunk.toString("utf8");
      for (;;) {
        if (inData) {
          const end = buffer.indexOf("\r\n.\r\n");
          if (end < 0) return;
          message += buffer.slice(0, end);
          buffer = buffer.slice(end + 5);
          inData = false;
          count += 1;
          writeFileSync(join(dir, `${String(count).padStart(4, "0")}.eml`), message.replace(/^\.\./gm, "."));
          message = "";
          reply("250 OK: queued");
          continue;
        }
        const newline = buffer.indexOf("\r\n");
        if (newline < 0) return;
        const line = buffer.slice(0, newline);
        buffer = buffer.slice(newline + 2);
        const verb = line.split(" ")[0].toUpperCase();
        if (verb === "EHLO" || verb === "HELO") reply("250 localhost");
        else if (verb === "MAIL" || verb === "RCPT" || verb === "RSET" || verb === "NOOP") reply("250 OK");
        else if (verb === "DATA") {
          inData = true;
          reply("354 End data with <CR><LF>.<CR><LF>");
        } else if (verb === "QUIT") {
          reply("221 Bye");
          socket.end();
          return;
        } else reply("502 Command not implemented");
      }
    });
    socket.on("error", () => socket.destroy());
  });
  return new Promise((resolve) => {
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address ? address.port : 0;
      resolve({ server, port });
    });
  });
}
