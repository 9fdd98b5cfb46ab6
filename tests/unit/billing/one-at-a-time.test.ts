import { describe, expect, it } from "vitest";
import { oneAtATime } from "@/lib/billing/one-at-a-time";

describe("oneAtATime", () => {
  it("starts a task only after the earlier ones with its key have ended, failed ones too", async () => {
    const steps: string[] = [];
    let finishFirst!: () => void;
    const first = oneAtATime("key", async () => {
      steps.push("first started");
      await new Promise<void>((resolve) => (finishFirst = resolve));
      steps.push("first failed");
      throw new Error("first");
    });
    const second = oneAtATime("key", async () => {
      steps.push("second started");
      return "second";
    });
    const other = oneAtATime("other key", async () => {
      steps.push("other started");
      return "other";
    });

    expect(await other).toBe("other");
    expect(steps).toEqual(["first started", "other started"]);
    finishFirst();
    await expect(first).rejects.toThrow("first");
    expect(await second).toBe("second");
    expect(steps).toEqual(["first started", "other started", "first failed", "second started"]);
  });
});
