import { randomUUID } from "node:crypto";
import { setTimeout as sleep } from "node:timers/promises";
import { describe, expect, it } from "vitest";
import { POST as createUpload } from "@/app/api/uploads/route";
import { AppError } from "@/lib/api/errors";
import { plans } from "@/lib/billing/plans";
import { getUserPlan, reserveVideoSlot } from "@/lib/billing/usage";
import { db } from "@/lib/db/client";
import { callRoute } from "../../support/routes";
import { createTestUser, type TestUser } from "../../support/users";

const freeLimit = plans.free.videosPerMonth;

async function countVideos(user: TestUser, count: number, at = new Date()): Promise<void> {
  for (let i = 0; i < count; i++) {
    await db()`insert into usage_events (user_id, project_id, counted_at) values (${user.id}, ${randomUUID()}, ${at})`;
  }
}

/**
 * What the upload route does: reserve a slot, then create the project, in one transaction.
 * The pause before commit keeps the transaction open long enough for the racers to overlap.
 */
async function startVideo(user: TestUser, now: Date): Promise<string> {
  return db().begin(async (tx) => {
    await reserveVideoSlot(tx, user.id, now);
    const [project] = await tx<{ id: string }[]>`
      insert into projects (user_id, title, source_type) values (${user.id}, 'race.mp4', 'upload') returning id`;
    await sleep(150);
    return project!.id;
  });
}

async function projectsInProgress(user: TestUser): Promise<number> {
  const [row] = await db()<{ count: number }[]>`
    select count(*)::int as count from projects where user_id = ${user.id} and status = 'uploading'`;
  return row!.count;
}

describe("video quota", () => {
  it("gives the last free slot to exactly one of two uploads racing for it", async () => {
    const user = await createTestUser("last-slot");
    await countVideos(user, freeLimit - 1);
    const now = new Date();

    const results = await Promise.allSettled([startVideo(user, now), startVideo(user, now)]);
    const won = results.filter((r) => r.status === "fulfilled");
    const lost = results.filter((r): r is PromiseRejectedResult => r.status === "rejected");
    expect(won).toHaveLength(1);
    expect(lost).toHaveLength(1);
    expect(lost[0]!.reason).toBeInstanceOf(AppError);
    expect(lost[0]!.reason).toMatchObject({ code: "quota_exceeded", status: 402 });
    expect(await projectsInProgress(user)).toBe(1);
  });

  it("gives the last free slot to exactly one of several POST /api/uploads requests sent at once", async () => {
    const user = await createTestUser("last-slot-route");
    await countVideos(user, freeLimit - 1);
    const request = (i: number) =>
      callRoute(createUpload, {
        method: "POST",
        path: "/api/uploads",
        headers: user.auth,
        body: { filename: `take-${i}.mp4`, size: 1_000_000, contentType: "video/mp4" },
      });

    const responses = await Promise.all([request(1), request(2), request(3)]);
    expect(responses.map((r) => r.status).sort()).toEqual([201, 402, 402]);
    for (const refused of responses.filter((r) => r.status === 402)) {
      expect(refused.body.error.code).toBe("quota_exceeded");
      expect(refused.body.error.message).toMatch(/Upgrade on the billing page/);
    }
    expect(await projectsInProgress(user)).toBe(1);
  });

  it("hands out exactly the remaining slots when many uploads start at once", async () => {
    const user = await createTestUser("many-racers");
    await countVideos(user, freeLimit - 3);
    const now = new Date();
    const results = await Promise.allSettled(Array.from({ length: 6 }, () => startVideo(user, now)));
    expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(3);
    expect(await projectsInProgress(user)).toBe(3);
  });

  it("refuses with 402 and says what to do when the period's videos are used up", async () => {
    const user = await createTestUser("quota-used");
    await countVideos(user, freeLimit - 1);
    await startVideo(user, new Date());

    const refusal = await startVideo(user, new Date()).catch((error: unknown) => error);
    expect(refusal).toMatchObject({ code: "quota_exceeded", status: 402 });
    expect((refusal as AppError).message).toMatch(/used all 10 videos of the Free plan.*\(1 still in progress\).*Upgrade on the billing page/);
  });

  it("counts only this period: last month's videos leave this month's quota untouched", async () => {
    const user = await createTestUser("new-month");
    const now = new Date();
    const lastMonth = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - 1, 15));
    await countVideos(user, freeLimit, lastMonth);
    await expect(startVideo(user, now)).resolves.toMatch(/^[0-9a-f-]{36}$/);
  });

  it("applies the Pro limit while a subscription holds the Pro plan", async () => {
    const user = await createTestUser("pro-quota");
    const start = new Date(Date.now() - 24 * 3600_000);
    await db()`
      insert into subscriptions (user_id, stripe_customer_id, stripe_subscription_id, plan, status,
        current_period_start, current_period_end, last_event_at)
      values (${user.id}, ${"cus_" + user.id.slice(0, 8)}, ${"sub_" + user.id.slice(0, 8)}, 'pro', 'active',
        ${start}, ${new Date(start.getTime() + 30 * 24 * 3600_000)}, now())`;
    await countVideos(user, freeLimit + 5);

    const plan = await getUserPlan(db(), user.id, new Date());
    expect(plan.plan.videosPerMonth).toBe(200);
    await expect(startVideo(user, new Date())).resolves.toBeTruthy();
  });
});
