import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { setEnvForProcess } from "@/lib/env";
import { checkEndpointUrl } from "@/lib/webhooks/check-endpoint-url";
import { useUnitEnv } from "../../support/unit-env";

const resolvesTo =
  (...addresses: string[]) =>
  async () =>
    addresses.map((address) => ({ address, family: address.includes(":") ? 6 : 4 }));

describe("the SSRF guard for webhook endpoints", () => {
  beforeAll(() => useUnitEnv({ WEBHOOK_ALLOWED_HOSTS: "" }));
  afterAll(() => setEnvForProcess({ WEBHOOK_ALLOWED_HOSTS: "" }));

  it("accepts a public https URL and returns the address to connect to", async () => {
    const target = await checkEndpointUrl("https://hooks.example.com/clipcrafter", { resolver: resolvesTo("93.184.216.34") });
    expect(target).toMatchObject({ hostname: "hooks.example.com", address: "93.184.216.34", family: 4 });
  });

  it("refuses a name when any address it resolves to is private, in words about webhooks", async () => {
    const refusal = checkEndpointUrl("https://hooks.example.com/x", { resolver: resolvesTo("93.184.216.34", "10.1.2.3") });
    await expect(refusal).rejects.toMatchObject({ code: "url_refused" });
    await expect(refusal).rejects.toThrow("That link cannot receive webhooks: it points to a private network address.");
  });

  it("refuses link-local metadata addresses written as IPv6", async () => {
    await expect(checkEndpointUrl("http://[::ffff:169.254.169.254]/")).rejects.toThrow(/link-local/);
  });

  it("never mentions importing in a refusal", async () => {
    for (const url of ["ftp://example.com/x", "https://u:p@example.com/x", "http://localhost/x", "not a url"]) {
      await expect(checkEndpointUrl(url)).rejects.toThrow(/^(?![\s\S]*import)/i);
    }
  });

  it("lets an allowlisted host through although it is loopback (tests and local development)", async () => {
    setEnvForProcess({ WEBHOOK_ALLOWED_HOSTS: "127.0.0.1, receiver.local" });
    await expect(checkEndpointUrl("http://127.0.0.1:9999/hook")).resolves.toMatchObject({ address: "127.0.0.1" });
    await expect(checkEndpointUrl("http://receiver.local/hook", { resolver: resolvesTo("127.0.0.1") })).resolves.toMatchObject({
      address: "127.0.0.1",
    });
    setEnvForProcess({ WEBHOOK_ALLOWED_HOSTS: "" });
  });

  it("is not opened by the URL-import allowlist", async () => {
    setEnvForProcess({ IMPORT_ALLOWED_HOSTS: "127.0.0.1" });
    await expect(checkEndpointUrl("http://127.0.0.1:9999/hook")).rejects.toMatchObject({ code: "url_refused" });
    setEnvForProcess({ IMPORT_ALLOWED_HOSTS: "" });
  });
});
