import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";

/**
 * Stands in for the Inngest event API (`POST /e/<key>`) during a benchmark: it accepts and
 * counts events, so completion sends its real `video/process` event without the pipeline
 * then spending the app's CPU on the benchmark's bytes.
 */
export async function startEventSink(): Promise<{ url: string; events: { name: string; id?: string }[]; stop: () => Promise<void> }> {
  const events: { name: string; id?: string }[] = [];
  const server: Server = createServer((request, response) => {
    let body = "";
    request.on("data", (chunk: Buffer) => (body += chunk.toString()));
    request.on("end", () => {
      const received = request.method === "POST" && request.url?.startsWith("/e/") ? (JSON.parse(body || "[]") as { name: string; id?: string }[]) : [];
      const list = Array.isArray(received) ? received : [received];
      events.push(...list.map((e) => ({ name: e.name, id: e.id })));
      response.writeHead(200, { "content-type": "application/json" });
      response.end(JSON.stringify({ ids: list.map((e, i) => e.id ?? `sink-${events.length + i}`), status: 200 }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    events,
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
