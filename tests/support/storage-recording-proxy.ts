import http from "node:http";
import type { AddressInfo } from "node:net";
import { Transform } from "node:stream";

// A pass-through HTTP proxy in front of the test storage server that notes when each
// request arrived and when its answer was sent: what storage itself sees, so a test can
// tell whether a browser's part PUTs really ran side by side. Bytes and answers are
// storage's own, unchanged. `bytesPerSecondPerRequest` reads each request's body no faster
// than that — a connection's share of a slow link — so that on loopback a 5 MiB part lasts
// long enough for parts sent side by side to be seen side by side (and parts sent one
// after another still are not).

export type ProxiedRequest = {
  method: string;
  partNumber: number | null;
  status: number;
  bytes: number;
  /** performance.now() when the request's headers arrived and when its answer was sent. */
  startedAt: number;
  endedAt: number;
};

export type StorageRecordingProxy = {
  url: string;
  requests: ProxiedRequest[];
  stop: () => Promise<void>;
};

export async function startStorageRecordingProxy(
  target: string,
  options: { bytesPerSecondPerRequest?: number } = {},
): Promise<StorageRecordingProxy> {
  const upstream = new URL(target);
  const agent = new http.Agent({ keepAlive: true });
  const requests: ProxiedRequest[] = [];
  const server = http.createServer((req, res) => {
    const startedAt = performance.now();
    const partNumber = new URL(req.url ?? "/", "http://proxy").searchParams.get("partNumber");
    let bytes = 0;
    const rate = options.bytesPerSecondPerRequest;
    const body = new Transform({
      transform(chunk: Buffer, _encoding, done) {
        bytes += chunk.length;
        if (rate) setTimeout(() => done(null, chunk), (chunk.length / rate) * 1000);
        else done(null, chunk);
      },
    });
    const forward = http.request(
      { host: upstream.hostname, port: upstream.port, method: req.method, path: req.url, agent, headers: { ...req.headers, host: upstream.host } },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
        res.on("finish", () =>
          requests.push({
            method: req.method ?? "",
            partNumber: partNumber ? Number(partNumber) : null,
            status: answer.statusCode ?? 0,
            bytes,
            startedAt,
            endedAt: performance.now(),
          }),
        );
      },
    );
    forward.on("error", () => res.destroy());
    req.pipe(body).pipe(forward);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    stop: () =>
      new Promise<void>((resolve) => {
        agent.destroy();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** The most of these requests that were open at one moment. */
export function maxInFlight(requests: Pick<ProxiedRequest, "startedAt" | "endedAt">[]): number {
  const edges = requests.flatMap((r) => [
    { at: r.startedAt, change: 1 },
    { at: r.endedAt, change: -1 },
  ]);
  // At equal times an answer counts as sent before the next request arrives.
  edges.sort((a, b) => a.at - b.at || a.change - b.change);
  let open = 0;
  let most = 0;
  for (const edge of edges) most = Math.max(most, (open += edge.change));
  return most;
}
