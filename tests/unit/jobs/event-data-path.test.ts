import { describe, expect, it } from "vitest";
import { dataPathFields, readDataPath } from "@/lib/jobs/event-data-path";

describe("event data paths", () => {
  it("reads the fields of a data path after its root, nested ones included", () => {
    expect(dataPathFields("data.project.id", "data")).toEqual(["project", "id"]);
    expect(dataPathFields("event.data.userId", "event.data")).toEqual(["userId"]);
  });

  it("refuses anything else: another root, no field, an empty or odd segment, an expression", () => {
    for (const [expression, root] of [
      ["event.data.userId", "data"],
      ["data", "data"],
      ["data.", "data"],
      ["data.a..b", "data"],
      ["data.a-b", "data"],
      ["event.data.plan == 'pro'", "event.data"],
      ["async.data.id", "data"],
    ] as const) {
      expect(dataPathFields(expression, root), expression).toBeUndefined();
    }
  });

  it("reads a nested value, and undefined where the path leaves the object", () => {
    const data = { project: { id: "p1" }, count: 3, none: null };
    expect(readDataPath(data, ["project", "id"])).toBe("p1");
    expect(readDataPath(data, ["count", "x"])).toBeUndefined();
    expect(readDataPath(data, ["none", "x"])).toBeUndefined();
    expect(readDataPath(data, ["missing"])).toBeUndefined();
  });
});
