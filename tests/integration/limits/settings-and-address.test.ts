import { describe, expect, it } from "vitest";
import { clientIp } from "@/lib/api/client-ip";
import { EnvError, envSource, parseEnv } from "@/lib/env";

const headers = (xff?: string) => new Headers(xff === undefined ? {} : { "x-forwarded-for": xff });

describe("the client address used for sign-in limits", () => {
  it("is not taken from X-Forwarded-For without a trusted proxy (the client wrote it)", () => {
    expect(clientIp(headers("203.0.113.5"), 0)).toBeUndefined();
  });

  it("is the entry the nearest trusted proxy appended, whatever the client put before it", () => {
    expect(clientIp(headers("10.9.9.9, 203.0.113.5"), 1)).toBe("203.0.113.5");
    expect(clientIp(headers("10.9.9.9, 203.0.113.5, 192.0.2.1"), 2)).toBe("203.0.113.5");
  });

  it("is unknown when there are fewer entries than proxies, or the entry is not an address", () => {
    expect(clientIp(headers("203.0.113.5"), 2)).toBeUndefined();
    expect(clientIp(headers("not-an-ip"), 1)).toBeUndefined();
    expect(clientIp(headers(), 1)).toBeUndefined();
  });

  it("counts an IPv6 client by its /64 and an IPv4-mapped address as IPv4", () => {
    expect(clientIp(headers("2001:db8:1:2:aaaa::1"), 1)).toBe("2001:db8:1:2::/64");
    expect(clientIp(headers("2001:db8:1:2:bbbb::9"), 1)).toBe("2001:db8:1:2::/64");
    expect(clientIp(headers("::ffff:198.51.100.7"), 1)).toBe("198.51.100.7");
  });
});

describe("rate limit settings", () => {
  const base = envSource();

  it("reads <count>/<window> in seconds, minutes or hours, with defaults", () => {
    const parsed = parseEnv({ ...base, RATE_LIMIT_SIGN_IN: "5/30s", RATE_LIMIT_UPLOADS: "100/2h", RATE_LIMIT_IMPORTS: "" });
    expect(parsed.RATE_LIMIT_SIGN_IN).toEqual({ points: 5, windowSeconds: 30 });
    expect(parsed.RATE_LIMIT_UPLOADS).toEqual({ points: 100, windowSeconds: 7200 });
    expect(parsed.RATE_LIMIT_IMPORTS).toEqual({ points: 30, windowSeconds: 3600 });
  });

  it("refuses a limit it cannot read, naming the setting", () => {
    for (const value of ["10", "10 per minute", "0/1m", "10/0s", "10/1d"]) {
      expect(() => parseEnv({ ...base, RATE_LIMIT_RETRIES: value })).toThrow(EnvError);
      expect(() => parseEnv({ ...base, RATE_LIMIT_RETRIES: value })).toThrow(/RATE_LIMIT_RETRIES: must be <count>\/<window>/);
    }
  });
});
