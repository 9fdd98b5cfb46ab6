// The baseline `npm run bench uploads` measures a direct upload against: the design the app
// avoids, where the bytes stream through a server process on their way to storage. This is
// that server at its leanest — node:http, one route, no framework, no auth — handing the
// request body to the app's own putObject, so its CPU and memory are what proxying the bytes
// costs at the least. It runs in its own process, so they are measured apart from the
// benchmark's and the app's.
import { spawn, type ChildProcess } from "node:child_process";
import { randomUUID } from "node:crypto";
import http from "node:http";
import type { AddressInfo } from "node:net";
import path from "node:path";
import readline from "node:readline";
import { envSource } from "@/lib/env";
import { putObject } from "@/lib/storage/objects";

export type ProxyBaselineServer = { url: string; pid: number; stop: () => Promise<void> };

const SELF = path.join(process.cwd(), "tests/bench/_proxy-baseline-server.ts");

/** Starts the server with these settings (storage's among them) over this process's. */
export async function startProxyBaselineServer(settings: Record<string, string>): Promise<ProxyBaselineServer> {
  // Stopped by closing its stdin, as tests/bench/_services.ts is (and so it ends with its parent).
  const child: ChildProcess = spawn(process.execPath, ["--import", "tsx", SELF, "--serve"], {
    stdio: ["pipe", "pipe", "inherit"],
    env: { ...envSource(), ...settings } as NodeJS.ProcessEnv,
  });
  const lines = readline.createInterface({ input: child.stdout! });
  const url = await new Promise<string>((resolve, reject) => {
    child.once("exit", (code) => reject(new Error(`the proxy baseline server exited early (${code})`)));
    lines.on("line", (line) => {
      if (line.startsWith("{")) resolve((JSON.parse(line) as { url: string }).url);
    });
  });
  return {
    url,
    pid: child.pid!,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        child.once("exit", () => resolve());
        child.stdin!.end();
      }),
  };
}

// PUT / with a Content-Length: the body streamed to storage under a new key, answered 201 { key, size }.
function handle(request: http.IncomingMessage, response: http.ServerResponse): void {
  const answer = (status: number, body: unknown) => {
    response.writeHead(status, { "content-type": "application/json" });
    response.end(JSON.stringify(body));
  };
  const size = Number(request.headers["content-length"]);
  if (request.method !== "PUT" || request.url !== "/") return answer(404, { error: "PUT / only" });
  if (!Number.isSafeInteger(size) || size <= 0) return answer(411, { error: "send the bytes with a Content-Length" });
  const key = `bench/proxied-${randomUUID()}`;
  putObject(key, request, { contentType: "application/octet-stream", contentLength: size }).then(
    () => answer(201, { key, size }),
    (error: unknown) => answer(500, { error: String(error) }),
  );
}

if (process.argv.includes("--serve")) {
  // No request time limit: a slow machine may take minutes to pass a large file through.
  const server = http.createServer({ requestTimeout: 0 }, handle);
  server.listen(0, "127.0.0.1", () => {
    console.log(JSON.stringify({ url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` }));
  });
  process.stdin.resume();
  process.stdin.on("end", () => {
    server.closeAllConnections();
    server.close(() => process.exit(0));
  });
}
