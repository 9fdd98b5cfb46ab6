import { readFileSync } from "node:fs";

/**
 * The local addresses (hex, as the kernel writes them: 0100007F is 127.0.0.1) of the
 * sockets in LISTEN state (st 0A) on `port`, from /proc/net/tcp and /proc/net/tcp6.
 */
export function listeningAddresses(port: number): string[] {
  const hexPort = port.toString(16).toUpperCase().padStart(4, "0");
  return ["/proc/net/tcp", "/proc/net/tcp6"].flatMap((file) =>
    readFileSync(file, "utf8")
      .split("\n")
      .slice(1)
      .map((line) => line.trim().split(/\s+/))
      .filter((fields) => fields[1]?.endsWith(`:${hexPort}`) && fields[3] === "0A")
      .map((fields) => fields[1]!.split(":")[0]!),
  );
}
