// A modelled wide-area link, in user space (`tc netem` is not available on these kernels):
// a TCP proxy in front of the storage server that, in each direction of each connection,
//   - delivers every byte `delayMs` after it was sent (one-way delay; a round trip is 2×),
//   - lets at most `windowBytes` be unacknowledged — sent but not yet known delivered,
//     which the sender learns one delay after delivery — so one connection carries at most
//     windowBytes per round trip: the bandwidth-delay limit a real TCP connection meets
//     on a link with latency (a window of 256 KiB over 40 ms is 6.4 MiB/s),
//   - and shares an aggregate cap across all connections (the access link's bandwidth).
// Not modelled: loss, jitter, the TCP handshake's round trip, slow start.
import net from "node:net";
import type { AddressInfo } from "node:net";

export type WanLinkOptions = {
  target: string;
  delayMs: number;
  windowBytes: number;
  aggregateBytesPerSecond: number;
};

export type WanLink = { url: string; stop: () => Promise<void> };

/** The shared bandwidth of one direction: when its next byte can leave. */
class Bottleneck {
  private freeAt = 0;
  constructor(private readonly bytesPerMs: number) {}

  /** Reserves the link for `bytes`; returns when they have left (ms, performance.now() clock). */
  send(bytes: number, now: number): number {
    const start = Math.max(now, this.freeAt);
    this.freeAt = start + bytes / this.bytesPerMs;
    return this.freeAt;
  }
}

/** One direction of one connection: from `source` to `sink`, through the model. */
function relay(source: net.Socket, sink: net.Socket, bottleneck: Bottleneck, options: WanLinkOptions): void {
  let unacknowledged = 0;
  // Both in time order: chunks on their way, and acknowledgements on their way back.
  const deliveries: { at: number; chunk: Buffer }[] = [];
  const acknowledgements: { at: number; bytes: number }[] = [];
  let timer: ReturnType<typeof setTimeout> | null = null;
  let sourceEnded = false;

  // One timer per direction, for whichever event is due first (timers are coarse and late
  // on a loaded machine; one per chunk would make the link slower than its model).
  const schedule = () => {
    if (timer) clearTimeout(timer);
    timer = null;
    const next = Math.min(deliveries[0]?.at ?? Infinity, acknowledgements[0]?.at ?? Infinity);
    if (next !== Infinity) timer = setTimeout(pump, Math.max(0, next - performance.now()));
    else if (sourceEnded) sink.end();
  };
  const pump = () => {
    const now = performance.now();
    while (deliveries.length > 0 && deliveries[0]!.at <= now) {
      const { at, chunk } = deliveries.shift()!;
      sink.write(chunk);
      acknowledgements.push({ at: at + options.delayMs, bytes: chunk.length });
    }
    while (acknowledgements.length > 0 && acknowledgements[0]!.at <= now) unacknowledged -= acknowledgements.shift()!.bytes;
    // A far end slower than the link holds the window, as TCP's would.
    if (unacknowledged < options.windowBytes && source.isPaused() && sink.writableLength < options.windowBytes) source.resume();
    schedule();
  };
  sink.on("drain", pump);

  source.on("data", (chunk: Buffer) => {
    unacknowledged += chunk.length;
    if (unacknowledged >= options.windowBytes) source.pause();
    deliveries.push({ at: bottleneck.send(chunk.length, performance.now()) + options.delayMs, chunk });
    if (deliveries.length === 1) schedule();
  });
  source.on("end", () => {
    sourceEnded = true;
    if (deliveries.length === 0) sink.end();
  });
  source.on("close", () => {
    if (deliveries.length === 0) {
      if (timer) clearTimeout(timer);
      sink.destroy();
    } else setTimeout(() => sink.destroy(), options.delayMs * 2 + 1000).unref();
  });
}

export async function startWanLink(options: WanLinkOptions): Promise<WanLink> {
  const target = new URL(options.target);
  const up = new Bottleneck(options.aggregateBytesPerSecond / 1000);
  const down = new Bottleneck(options.aggregateBytesPerSecond / 1000);
  const sockets = new Set<net.Socket>();
  const server = net.createServer((client) => {
    const storage = net.connect(Number(target.port), target.hostname);
    for (const socket of [client, storage]) {
      sockets.add(socket);
      socket.setNoDelay(true);
      socket.on("error", () => {
        client.destroy();
        storage.destroy();
      });
      socket.on("close", () => sockets.delete(socket));
    }
    relay(client, storage, up, options);
    relay(storage, client, down, options);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    stop: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
