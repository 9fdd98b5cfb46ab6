import { describe, expect, it } from "vitest";
import { addressRefusal, checkFetchTarget, UrlRefusedError, type Resolver } from "@/lib/net/ssrf-guard";

// A resolver that answers from a table: no test here opens a connection or asks DNS.
const names: Record<string, string[]> = {
  "videos.example.com": ["93.184.216.34"],
  "v6.example.com": ["2606:4700::1111"],
  "internal.example.com": ["10.0.0.5"],
  "rebind.example.com": ["93.184.216.34", "127.0.0.1"],
  "mapped.example.com": ["::ffff:169.254.169.254"],
  "metadata.example.com": ["169.254.169.254"],
};
const resolver: Resolver = async (hostname) => {
  const addresses = names[hostname];
  if (!addresses) throw Object.assign(new Error("ENOTFOUND"), { code: "ENOTFOUND" });
  return addresses.map((address) => ({ address, family: address.includes(":") ? 6 : 4 }));
};

const refused: [string, RegExp][] = [
  ["http://127.0.0.1/video.mp4", /loopback/],
  ["http://localhost/video.mp4", /internal address/],
  ["http://localhost./video.mp4", /internal address/],
  ["http://LOCALHOST:8080/video.mp4", /internal address/],
  ["http://app.localhost/video.mp4", /internal address/],
  ["http://127.1/video.mp4", /loopback/],
  ["http://2130706433/video.mp4", /loopback/],
  ["http://0x7f000001/video.mp4", /loopback/],
  ["http://0x7f.0x0.0x0.0x1/video.mp4", /loopback/],
  ["http://0177.0.0.1/video.mp4", /loopback/],
  ["http://017700000001/video.mp4", /loopback/],
  ["http://%31%32%37.0.0.1/video.mp4", /loopback/],
  ["http://127.0.0.1./video.mp4", /loopback/],
  ["http://[::1]/video.mp4", /loopback/],
  ["http://[::ffff:127.0.0.1]/video.mp4", /loopback/],
  ["http://[::ffff:7f00:1]/video.mp4", /loopback/],
  ["http://[0:0:0:0:0:ffff:7f00:1]/video.mp4", /loopback/],
  ["http://[::127.0.0.1]/video.mp4", /IPv4-compatible/],
  ["http://[::8.8.8.8]/video.mp4", /IPv4-compatible/],
  ["http://0.0.0.0/video.mp4", /unspecified/],
  ["http://0/video.mp4", /unspecified/],
  ["http://[::]/video.mp4", /unspecified/],
  ["http://10.0.0.1/video.mp4", /private/],
  ["http://172.16.5.4/video.mp4", /private/],
  ["http://192.168.0.1/video.mp4", /private/],
  ["http://169.254.169.254/latest/meta-data/", /link-local/],
  ["http://[::ffff:a9fe:a9fe]/latest/meta-data/", /link-local/],
  ["http://metadata.google.internal/computeMetadata/v1/", /internal address/],
  ["http://100.64.0.1/video.mp4", /carrier-grade NAT/],
  ["http://100.100.100.200/latest/meta-data/", /carrier-grade NAT/],
  ["http://[fd00:ec2::254]/latest/meta-data/", /unique-local/],
  ["http://[fc00::1]/video.mp4", /unique-local/],
  ["http://[fe80::1]/video.mp4", /link-local/],
  ["http://224.0.0.1/video.mp4", /multicast/],
  ["http://[ff02::1]/video.mp4", /multicast/],
  ["http://255.255.255.255/video.mp4", /broadcast/],
  ["http://192.0.2.10/video.mp4", /reserved, documentation or benchmarking/],
  ["http://198.51.100.7/video.mp4", /reserved, documentation or benchmarking/],
  ["http://203.0.113.9/video.mp4", /reserved, documentation or benchmarking/],
  ["http://198.18.0.1/video.mp4", /reserved, documentation or benchmarking/],
  ["http://240.0.0.1/video.mp4", /reserved/],
  ["http://[2001:db8::1]/video.mp4", /reserved/],
  ["http://[64:ff9b::7f00:1]/video.mp4", /IPv6 translation/],
  ["http://[2002:7f00:1::]/video.mp4", /6to4/],
  ["http://internal.example.com/video.mp4", /private/],
  ["http://rebind.example.com/video.mp4", /loopback/],
  ["http://mapped.example.com/video.mp4", /link-local/],
  ["http://metadata.example.com/video.mp4", /link-local/],
  ["ftp://videos.example.com/video.mp4", /Only http and https/],
  ["file:///etc/passwd", /Only http and https/],
  ["gopher://videos.example.com:70/_GET", /Only http and https/],
  ["data:video/mp4;base64,AAAA", /Only http and https/],
  ["javascript:alert(1)", /Only http and https/],
  ["http://user:secret@videos.example.com/video.mp4", /user name or password/],
  ["http://nonexistent.invalid/video.mp4", /could not be found/],
  ["not a url", /not a valid URL/],
];

describe("the SSRF guard", () => {
  it.each(refused)("refuses %s", async (url, reason) => {
    const error = await checkFetchTarget(url, { resolver }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UrlRefusedError);
    expect((error as UrlRefusedError).status).toBe(422);
    expect((error as Error).message).toMatch(reason);
  });

  it("has a table of at least 25 refused spellings", () => {
    expect(refused.length).toBeGreaterThanOrEqual(25);
  });

  it("accepts a public host and pins the connection to the address it checked", async () => {
    const target = await checkFetchTarget("https://videos.example.com/clip.mp4", { resolver });
    expect(target).toMatchObject({ hostname: "videos.example.com", address: "93.184.216.34", family: 4 });
    const v6 = await checkFetchTarget("https://v6.example.com/clip.mp4", { resolver });
    expect(v6).toMatchObject({ address: "2606:4700::1111", family: 6 });
  });

  it("lets an allowlisted host through only when the allowlist names it", async () => {
    await expect(checkFetchTarget("http://127.0.0.1:9000/clip.mp4", { resolver })).rejects.toThrow(/loopback/);
    const target = await checkFetchTarget("http://127.0.0.1:9000/clip.mp4", { resolver, allowedHosts: ["127.0.0.1"] });
    expect(target.address).toBe("127.0.0.1");
    await expect(
      checkFetchTarget("http://10.0.0.1/clip.mp4", { resolver, allowedHosts: ["127.0.0.1"] }),
    ).rejects.toThrow(/private/);
  });

  it("classifies IPv4-mapped forms by the IPv4 address they carry", () => {
    expect(addressRefusal("::ffff:8.8.8.8")).toBeNull();
    expect(addressRefusal("::ffff:10.1.1.1")).toMatch(/private/);
  });
});
