import { AppError, toErrorResponse } from "./errors";
import { assertSameOriginJson } from "./same-origin";
import { accessTokenFrom } from "@/lib/auth/session";
import type { AuthUser } from "@/lib/auth/tokens";
import { userForToken, type TokenCheck } from "@/lib/auth/user-for-token";
import type { UserClaims } from "@/lib/db/as-user";

export type UserContext<P> = { user: AuthUser; claims: UserClaims; params: P };
type RouteContext<P> = { params: Promise<P> };

/**
 * Wraps a route handler: refuses cross-site and non-JSON state changes, resolves the signed-in user from the Bearer token or session
 * cookie (401 otherwise), awaits the route params, and turns anything thrown into the
 * API's JSON error shape.
 */
export function withUser<P = Record<string, never>>(
  handler: (request: Request, context: UserContext<P>) => Promise<Response>,
) {
  return async (request: Request, routeContext?: RouteContext<P>): Promise<Response> => {
    try {
      assertSameOriginJson(request);
      const user = await authenticate(request);
      const params = ((await routeContext?.params) ?? {}) as P;
      return await handler(request, {
        user,
        claims: { sub: user.id, email: user.email, role: "authenticated" },
        params,
      });
    } catch (error) {
      return toErrorResponse(error);
    }
  };
}

/**
 * For public routes: the same origin checks and error handling without requiring a user.
 */
export function withErrors<P = Record<string, never>>(
  handler: (request: Request, context: { params: P }) => Promise<Response>,
) {
  return async (request: Request, routeContext?: RouteContext<P>): Promise<Response> => {
    try {
      assertSameOriginJson(request);
      return await handler(request, { params: ((await routeContext?.params) ?? {}) as P });
    } catch (error) {
      return toErrorResponse(error);
    }
  };
}

export async function authenticate(request: Request): Promise<AuthUser> {
  const token = await accessTokenFrom(request.headers);
  if (!token) throw new AppError("unauthorized", "Sign in to continue.");
  return userOrThrow(await userForToken(token));
}

/** The API's 401 for a token that names no one (any more). */
export function userOrThrow(check: TokenCheck): AuthUser {
  if (check.ok) return check.user;
  throw new AppError(
    "unauthorized",
    check.reason === "account_gone"
      ? "Your account no longer exists. Sign in again to continue."
      : "Your session is not valid or has expired. Sign in again.",
  );
}
