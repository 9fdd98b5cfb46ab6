// The app as `npm run dev` runs it in embedded job mode, without Next's compiler: the same
// route handlers behind a plain HTTP server, and the same start-up (instrumentation.ts's
// register(): the embedded runner and its cron, whose first reconcile pass re-drives what a
// previous process left). The fault suite SIGKILLs it at chosen points and starts it again.
//
// Fault points (FAULT_FREEZE_ON_SEND=<event name>): the process freezes — synchronously,
// so nothing after it runs — the moment it hands such an event to its runner, after the
// commit that wrote it to the outbox, and prints FROZEN <event id> for the suite to kill it.
// POST /__faults/reconcile runs one reconcile pass with the clock and grace given (the
// suite's stand-in for "the reconciler's bound has passed").
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import { register } from "@/instrumentation";
import { envSource } from "@/lib/env";
import { registerJobFunctions } from "@/lib/jobs/job-functions";
import { embeddedRunner } from "@/lib/jobs/send-event";
import { reconcileSettings, runReconcile } from "@/lib/reconcile/run-reconcile";

type Handler = (request: Request, context: { params: Promise<Record<string, string>> }) => Promise<Response>;

// As under `next dev`, instrumentation's register() runs when the server starts and the
// route handlers load after it (Next compiles them on first request).
const freezeOn = envSource().FAULT_FREEZE_ON_SEND;
registerJobFunctions(async () => (await import("@/inngest")).jobFunctions());
const runner = await embeddedRunner();
if (freezeOn) {
  const send = runner.send.bind(runner);
  runner.send = (events) => {
    const frozen = events.find((e) => e.name === freezeOn);
    if (frozen) {
      process.stdout.write(`FROZEN ${frozen.id}\n`);
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0);
    }
    return send(events);
  };
}
await register();
console.log("REGISTERED");

const [projectRoute, retryRoute, completeRoute, partsRoute, uploadRoute, uploadsRoute] = await Promise.all([
  import("@/app/api/projects/[id]/route"),
  import("@/app/api/projects/[id]/retry/route"),
  import("@/app/api/uploads/[uploadId]/complete/route"),
  import("@/app/api/uploads/[uploadId]/parts/route"),
  import("@/app/api/uploads/[uploadId]/route"),
  import("@/app/api/uploads/route"),
]);
const routes: [string, RegExp, Handler][] = [
  ["POST", /^\/api\/uploads$/, uploadsRoute.POST as Handler],
  ["POST", /^\/api\/uploads\/(?<uploadId>[^/]+)\/parts$/, partsRoute.POST as Handler],
  ["PATCH", /^\/api\/uploads\/(?<uploadId>[^/]+)\/parts$/, partsRoute.PATCH as Handler],
  ["POST", /^\/api\/uploads\/(?<uploadId>[^/]+)\/complete$/, completeRoute.POST as Handler],
  ["DELETE", /^\/api\/uploads\/(?<uploadId>[^/]+)$/, uploadRoute.DELETE as Handler],
  ["GET", /^\/api\/projects\/(?<id>[^/]+)$/, projectRoute.GET as Handler],
  ["DELETE", /^\/api\/projects\/(?<id>[^/]+)$/, projectRoute.DELETE as Handler],
  ["POST", /^\/api\/projects\/(?<id>[^/]+)\/retry$/, retryRoute.POST as Handler],
];

async function body(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
  const url = new URL(req.url ?? "/", "http://localhost:3000");
  if (req.method === "POST" && url.pathname === "/__faults/reconcile") {
    const options = JSON.parse((await body(req)).toString() || "{}") as { advanceMs?: number; orphanGraceMs?: number };
    const now = () => new Date(Date.now() + (options.advanceMs ?? 0));
    const { defaultReconcileDeps } = await import("@/lib/reconcile/run-reconcile");
    const counts = await runReconcile(
      { ...reconcileSettings(), orphanGraceMs: options.orphanGraceMs ?? reconcileSettings().orphanGraceMs },
      { ...defaultReconcileDeps, now },
    );
    await (await embeddedRunner()).idle();
    res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify(counts));
    return;
  }
  for (const [method, pattern, handler] of routes) {
    const match = req.method === method ? pattern.exec(url.pathname) : null;
    if (!match) continue;
    const payload = await body(req);
    const request = new Request(url, {
      method,
      headers: Object.entries(req.headers).flatMap(([k, v]) => (typeof v === "string" ? [[k, v] as [string, string]] : [])),
      body: payload.length ? new Uint8Array(payload) : undefined,
    });
    const response = await handler(request, { params: Promise.resolve({ ...match.groups }) });
    res.writeHead(response.status, Object.fromEntries(response.headers));
    res.end(Buffer.from(await response.arrayBuffer()));
    return;
  }
  res.writeHead(404).end();
}

const server = createServer((req, res) => {
  handle(req, res).catch((error: unknown) => {
    console.error(error);
    if (!res.headersSent) res.writeHead(500);
    res.end();
  });
});
server.listen(Number(envSource().PORT), "127.0.0.1", () => console.log(`READY http://127.0.0.1:${envSource().PORT}`));
