import { describe, expect, it } from "vitest";
import { localStackSettings } from "@/lib/local-stack/settings";

describe("the settings a command takes for the local stack", () => {
  it("address the app where npm run dev serves it, on PORT when that is set, so the doctor checks the origin the storage allows", () => {
    expect(localStackSettings({ CLIPCRAFTER_DATA_DIR: "/nonexistent" }).APP_URL).toBe("http://localhost:3000");
    expect(localStackSettings({ PORT: "3717", CLIPCRAFTER_DATA_DIR: "/nonexistent" }).APP_URL).toBe("http://localhost:3717");
    expect(localStackSettings({ PORT: "3717", APP_URL: "https://clips.example.com" }).APP_URL).toBeUndefined();
  });

  it("point at the stack's Postgres and storage on their ports", () => {
    const settings = localStackSettings({ POSTGRES_PORT: "54717", STORAGE_PORT: "4817", CLIPCRAFTER_DATA_DIR: "/nonexistent" });
    expect(settings.DATABASE_URL).toBe("postgres://postgres:postgres@127.0.0.1:54717/clipcrafter");
    expect(settings.R2_ENDPOINT).toBe("http://127.0.0.1:4817");
  });
});
