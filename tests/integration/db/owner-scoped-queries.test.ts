import { beforeAll, describe, expect, it } from "vitest";
import { db } from "@/lib/db/client";
import { listUnsentStatusChanges } from "@/lib/db/queries/outbox";
import { isUsageCounted, recordUsage } from "@/lib/db/queries/processing";
import { createDeliveries, failDelivery, getDeliveryToAttempt } from "@/lib/db/queries/webhook-deliveries";
import { disableEndpoint, insertEndpoint } from "@/lib/db/queries/webhook-endpoints";
import { failProject } from "@/lib/projects/transitions";
import { createTestUser, type TestUser } from "../../support/users";
import { insertProject } from "../projects/fixtures";

// The queries the job side runs on the server's connection (no row-level security) take
// the owner and filter by it: an id of someone else's row, paired with another user, finds
// nothing and changes nothing.

describe("queries the job side runs for an owner", () => {
  let owner: TestUser;
  let other: TestUser;
  let projectId: string;
  let endpointId: string;
  let deliveryId: string;

  beforeAll(async () => {
    owner = await createTestUser("scoped-owner");
    other = await createTestUser("scoped-other");
    const endpoint = await insertEndpoint(db(), { userId: owner.id, url: "https://hooks.example.com/scoped", secret: "whsec_scoped" });
    endpointId = endpoint!.id;
    projectId = await insertProject(owner, { status: "processing" });
    await failProject(db(), { projectId, userId: owner.id, code: "x", message: "Stopped." });
    await recordUsage(db(), { projectId, userId: owner.id, at: new Date() });
    const [delivery] = await createDeliveries(db(), {
      userId: owner.id,
      messageId: `scoped-${projectId}`,
      eventType: "project.error",
      projectId,
      payload: {},
    });
    deliveryId = delivery!.deliveryId;
  });

  it("counts a project's usage only for its owner", async () => {
    expect(await isUsageCounted(db(), { projectId, userId: other.id })).toBe(false);
    expect(await isUsageCounted(db(), { projectId, userId: owner.id })).toBe(true);
  });

  it("lists a project's unsent status changes only for its owner", async () => {
    expect(await listUnsentStatusChanges(db(), { projectId, userId: other.id })).toEqual([]);
    expect(await listUnsentStatusChanges(db(), { projectId, userId: owner.id })).toHaveLength(1);
  });

  it("reads a delivery to attempt only for its owner", async () => {
    expect(await getDeliveryToAttempt(db(), { deliveryId, userId: other.id })).toBeNull();
    expect(await getDeliveryToAttempt(db(), { deliveryId, userId: owner.id })).toMatchObject({ id: deliveryId, userId: owner.id });
  });

  it("switches an endpoint off only for its owner", async () => {
    await disableEndpoint(db(), { endpointId, userId: other.id, reason: "Gone." });
    const [kept] = await db()<{ enabled: boolean }[]>`select enabled from webhook_endpoints where id = ${endpointId}`;
    expect(kept!.enabled).toBe(true);

    await disableEndpoint(db(), { endpointId, userId: owner.id, reason: "Gone." });
    const [off] = await db()<{ enabled: boolean; disabledReason: string }[]>`
      select enabled, disabled_reason as "disabledReason" from webhook_endpoints where id = ${endpointId}`;
    expect(off).toEqual({ enabled: false, disabledReason: "Gone." });
  });

  it("ends a delivery only for its owner", async () => {
    expect(await failDelivery(db(), { deliveryId, userId: other.id, reason: "Stopped." })).toBe(false);
    const [pending] = await db()<{ status: string }[]>`select status from webhook_deliveries where id = ${deliveryId}`;
    expect(pending!.status).toBe("pending");

    expect(await failDelivery(db(), { deliveryId, userId: owner.id, reason: "Stopped." })).toBe(true);
    const [failed] = await db()<{ status: string }[]>`select status from webhook_deliveries where id = ${deliveryId}`;
    expect(failed!.status).toBe("failed");
  });
});
