import { createHmac, timingSafeEqual } from "node:crypto";
import type { IncomingHttpHeaders } from "node:http";
import { startFixtureServer, type FixtureServer } from "../../support/http-fixtures";

// A webhook receiver on 127.0.0.1 that records every request and answers each path from
// a script of statuses ("hang" never answers), then 200 once the script runs out.

export type ReceivedWebhook = { path: string; headers: IncomingHttpHeaders; body: string; receivedAt: number };
export type Answer = number | "hang";

export type Receiver = FixtureServer & {
  received: ReceivedWebhook[];
  script: (path: string, answers: Answer[]) => void;
  to: (path: string) => ReceivedWebhook[];
};

export async function startReceiver(): Promise<Receiver> {
  const received: ReceivedWebhook[] = [];
  const scripts = new Map<string, Answer[]>();
  const server = await startFixtureServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      const path = req.url ?? "/";
      received.push({ path, headers: req.headers, body: Buffer.concat(chunks).toString("utf8"), receivedAt: Date.now() });
      const answer = scripts.get(path)?.shift() ?? 200;
      if (answer === "hang") return;
      res.writeHead(answer, { "content-type": "text/plain" });
      res.end(answer === 200 ? "ok" : `answer ${answer}`);
    });
  });
  return {
    ...server,
    received,
    script: (path, answers) => scripts.set(path, [...answers]),
    to: (path) => received.filter((r) => r.path === path),
  };
}

/**
 * The receiver's side of the Standard Webhooks spec, written here from the spec and not
 * with the app's signing code: the key is the base64 after `whsec_`, the signed content
 * is `id.timestamp.body`, and any `v1,` signature in the header may match.
 */
export function verifiesAsStandardWebhook(secret: string, request: ReceivedWebhook, toleranceSeconds = 300): boolean {
  const id = request.headers["webhook-id"];
  const timestamp = request.headers["webhook-timestamp"];
  const signatures = request.headers["webhook-signature"];
  if (typeof id !== "string" || typeof timestamp !== "string" || typeof signatures !== "string") return false;
  if (!/^\d+$/.test(timestamp) || Math.abs(Date.now() / 1000 - Number(timestamp)) > toleranceSeconds) return false;
  const key = Buffer.from(secret.replace(/^whsec_/, ""), "base64");
  const expected = createHmac("sha256", key).update(`${id}.${timestamp}.${request.body}`, "utf8").digest();
  return signatures.split(" ").some((entry) => {
    const [version, value] = entry.split(",", 2);
    if (version !== "v1" || !value) return false;
    const given = Buffer.from(value, "base64");
    return given.length === expected.length && timingSafeEqual(given, expected);
  });
}
