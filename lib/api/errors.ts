import { ZodError } from "zod";
import { errorStatus, type ErrorCode } from "./error-codes";
import { log } from "@/lib/log";

export class AppError extends Error {
  readonly code: ErrorCode;
  readonly details?: Record<string, unknown>;
  /** Sent as Retry-After (429, 503): when the client may try again. */
  readonly retryAfterSeconds?: number;

  constructor(
    code: ErrorCode,
    message: string,
    details?: Record<string, unknown>,
    options: { retryAfterSeconds?: number } = {},
  ) {
    super(message);
    this.name = "AppError";
    this.code = code;
    this.details = details;
    this.retryAfterSeconds = options.retryAfterSeconds;
  }

  get status(): number {
    return errorStatus[this.code];
  }
}

export function notFound(what = "That resource"): AppError {
  return new AppError("not_found", `${what} was not found.`);
}

type ErrorBody = { error: { code: ErrorCode; message: string; details?: Record<string, unknown> } };

export function errorBody(error: AppError): ErrorBody {
  return {
    error: { code: error.code, message: error.message, ...(error.details ? { details: error.details } : {}) },
  };
}

// The first issue's message is what a person reads; every schema in lib/ gives its fields
// messages that make sense on their own. The full list goes in details for programs.
function describeZodError(error: ZodError): string {
  return error.issues[0]?.message ?? "The request is not valid.";
}

/** Turns anything a handler throws into the JSON error response of the API contract. */
export function toErrorResponse(thrown: unknown): Response {
  if (thrown instanceof AppError) {
    const headers = thrown.retryAfterSeconds !== undefined ? { "Retry-After": String(thrown.retryAfterSeconds) } : undefined;
    return Response.json(errorBody(thrown), { status: thrown.status, headers });
  }
  if (thrown instanceof ZodError) {
    const appError = new AppError("validation_failed", describeZodError(thrown), {
      field: thrown.issues[0]?.path.join("."),
      issues: thrown.issues.map((i) => ({ path: i.path.join("."), message: i.message })),
    });
    return Response.json(errorBody(appError), { status: 422 });
  }
  if (thrown instanceof SyntaxError) {
    return Response.json(errorBody(new AppError("bad_request", "The request body is not valid JSON.")), {
      status: 400,
    });
  }
  log.error("unhandled_route_error", { error: thrown });
  return Response.json(
    errorBody(new AppError("internal_error", "Something went wrong on our side. Please try again.")),
    { status: 500 },
  );
}
