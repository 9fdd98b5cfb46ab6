import { beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import { AppError, toErrorResponse } from "@/lib/api/errors";
import { errorStatus } from "@/lib/api/error-codes";
import { useUnitEnv } from "../support/unit-env";

describe("error responses", () => {
  beforeAll(() => useUnitEnv());

  it("maps every AppError code to its status with a readable message", async () => {
    for (const [code, status] of Object.entries(errorStatus)) {
      const response = toErrorResponse(new AppError(code as keyof typeof errorStatus, `message for ${code}`));
      expect(response.status).toBe(status);
      expect(await response.json()).toEqual({ error: { code, message: `message for ${code}` } });
    }
  });

  it("turns a validation failure into 422 with the field's message and name", async () => {
    const result = z.object({ size: z.number().positive("The size must be more than 0 bytes.") }).safeParse({ size: -1 });
    const response = toErrorResponse(result.error);
    expect(response.status).toBe(422);
    const body = await response.json();
    expect(body.error.code).toBe("validation_failed");
    expect(body.error.message).toBe("The size must be more than 0 bytes.");
    expect(body.error.details.field).toBe("size");
  });

  it("answers 500 for an unexpected error without leaking its internals", async () => {
    const response = toErrorResponse(new Error("connection to 10.0.0.5:5432 refused, password=hunter2"));
    expect(response.status).toBe(500);
    const text = await response.text();
    expect(text).not.toContain("hunter2");
    expect(text).not.toContain("10.0.0.5");
    expect(JSON.parse(text).error.code).toBe("internal_error");
  });
});
