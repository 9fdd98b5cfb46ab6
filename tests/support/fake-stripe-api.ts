import { randomBytes } from "node:crypto";
import http from "node:http";
import type { AddressInfo } from "node:net";

/**
 * A fake of the Stripe API: a local HTTP server that answers the few endpoints ClipCrafter
 * calls, with Stripe's wire format (form-encoded requests, JSON objects and errors). The
 * real SDK is pointed at it through its host/port/protocol options, so tests exercise the
 * SDK's own encoding and see exactly the parameters Stripe would receive.
 *
 * It is a fake, not Stripe: it keeps no accounts, checks no keys beyond their presence,
 * and serves subscriptions only as the test stores them.
 */

export type RecordedStripeRequest = {
  method: string;
  path: string;
  /** The form body (or query) decoded the way Stripe does: `a[b][0]=x` → `{a: {b: ["x"]}}`. */
  params: Record<string, unknown>;
  idempotencyKey: string | undefined;
  stripeVersion: string | undefined;
  authorization: string | undefined;
};

type StripeObject = Record<string, unknown> & { id: string };
type Failure = { status: number; type: string; message: string };
type Answer = [status: number, payload: unknown];
/** Runs around one answer: `answer()` makes it (reading the fake's state at that moment). */
export type AnswerWrapper = (request: RecordedStripeRequest, answer: () => Promise<Answer>) => Promise<Answer>;

export type FakeStripeApi = {
  /** Settings that point the app's Stripe client here. */
  env: { STRIPE_API_HOST: string; STRIPE_API_PORT: string; STRIPE_API_PROTOCOL: "http" };
  requests: RecordedStripeRequest[];
  requestsTo(method: string, path: string): RecordedStripeRequest[];
  /** Stores (or replaces) the subscription GET /v1/subscriptions/:id returns. */
  putSubscription(subscription: StripeObject): void;
  /** Makes every POST /v1/customers take this long, to widen races in tests. */
  setCustomerCreateDelay(ms: number): void;
  /** The customers created so far (a replay for a known idempotency key creates none). */
  createdCustomers(): StripeObject[];
  /**
   * Wraps the answers to requests on this path (until reset): the wrapper can look at the
   * database while the app waits for Stripe, or act between making the answer and sending it.
   */
  aroundAnswer(method: string, path: string, wrapper: AnswerWrapper): void;
  /** The next request to this path fails the way Stripe fails (error JSON, status). */
  failNext(method: string, path: string, failure: Failure): void;
  reset(): void;
  stop(): Promise<void>;
};

export async function startFakeStripeApi(): Promise<FakeStripeApi> {
  const requests: RecordedStripeRequest[] = [];
  const subscriptions = new Map<string, StripeObject>();
  const customersByIdempotencyKey = new Map<string, StripeObject>();
  const idempotencyKeysInProgress = new Set<string>();
  const createdCustomers: StripeObject[] = [];
  const failures = new Map<string, Failure>();
  const wrappers = new Map<string, AnswerWrapper>();
  let customerCreateDelay = 0;
  let counter = 0;
  // Ids unique across fakes too: test files run at once, each with its own fake, and share
  // one database, where a customer id may be stored for one user only.
  const instance = randomBytes(4).toString("hex");
  const nextId = (prefix: string) => `${prefix}_fake${instance}${String(++counter).padStart(6, "0")}`;

  const routes: { method: string; pattern: RegExp; respond: (req: RecordedStripeRequest, match: RegExpMatchArray) => Promise<Answer> }[] = [
    {
      method: "POST",
      pattern: /^\/v1\/customers$/,
      respond: async (req) => {
        const key = req.idempotencyKey;
        // As Stripe does: a request whose idempotency key another request is still using
        // is refused with 409 (and may be retried); a later one replays the first's result.
        if (key && idempotencyKeysInProgress.has(key)) {
          return [
            409,
            stripeError(
              "idempotency_error",
              "There is currently another in-progress request using this Idempotent Key (that probably means you submitted twice, and the other request is still going through). Please try again later.",
              "idempotency_key_in_use",
            ),
          ];
        }
        const existing = key ? customersByIdempotencyKey.get(key) : undefined;
        if (existing) return [200, existing];
        if (key) idempotencyKeysInProgress.add(key);
        try {
          if (customerCreateDelay) await new Promise((resolve) => setTimeout(resolve, customerCreateDelay));
          const customer = {
            id: nextId("cus"),
            object: "customer",
            created: nowSeconds(),
            email: req.params.email ?? null,
            metadata: req.params.metadata ?? {},
            livemode: false,
          };
          createdCustomers.push(customer);
          if (key) customersByIdempotencyKey.set(key, customer);
          return [200, customer];
        } finally {
          if (key) idempotencyKeysInProgress.delete(key);
        }
      },
    },
    {
      method: "POST",
      pattern: /^\/v1\/checkout\/sessions$/,
      respond: async (req) => {
        const id = nextId("cs_test");
        return [
          200,
          {
            id,
            object: "checkout.session",
            created: nowSeconds(),
            mode: req.params.mode,
            customer: req.params.customer ?? null,
            client_reference_id: req.params.client_reference_id ?? null,
            metadata: req.params.metadata ?? {},
            success_url: req.params.success_url ?? null,
            cancel_url: req.params.cancel_url ?? null,
            status: "open",
            payment_status: "unpaid",
            subscription: null,
            url: `https://checkout.stripe.test/c/pay/${id}`,
            livemode: false,
          },
        ];
      },
    },
    {
      method: "POST",
      pattern: /^\/v1\/billing_portal\/sessions$/,
      respond: async (req) => {
        const id = nextId("bps");
        return [
          200,
          {
            id,
            object: "billing_portal.session",
            created: nowSeconds(),
            customer: req.params.customer,
            return_url: req.params.return_url ?? null,
            url: `https://billing.stripe.test/p/session/${id}`,
            livemode: false,
          },
        ];
      },
    },
    {
      method: "GET",
      pattern: /^\/v1\/subscriptions\/([^/]+)$/,
      respond: async (_req, match) => {
        const subscription = subscriptions.get(decodeURIComponent(match[1]!));
        if (!subscription) {
          return [404, stripeError("invalid_request_error", `No such subscription: '${match[1]}'`, "resource_missing")];
        }
        return [200, subscription];
      },
    },
  ];

  const server = http.createServer(async (request, response) => {
    const url = new URL(request.url ?? "/", "http://fake-stripe");
    const body = await readBody(request);
    const recorded: RecordedStripeRequest = {
      method: request.method ?? "GET",
      path: url.pathname,
      params: decodeStripeParams(request.method === "GET" ? url.searchParams : new URLSearchParams(body)),
      idempotencyKey: header(request, "idempotency-key"),
      stripeVersion: header(request, "stripe-version"),
      authorization: header(request, "authorization"),
    };
    requests.push(recorded);

    const send = (status: number, payload: unknown, extraHeaders: Record<string, string> = {}) => {
      response.writeHead(status, { "content-type": "application/json", "request-id": nextId("req"), ...extraHeaders });
      response.end(JSON.stringify(payload));
    };
    if (!recorded.authorization?.startsWith("Bearer sk_")) {
      return send(401, stripeError("invalid_request_error", "You did not provide an API key."));
    }
    const failureKey = `${recorded.method} ${recorded.path}`;
    const failure = failures.get(failureKey);
    if (failure) {
      failures.delete(failureKey);
      // Stripe marks errors a retry would not fix; the SDK then gives up at once.
      return send(failure.status, stripeError(failure.type, failure.message), { "stripe-should-retry": "false" });
    }
    const answer = async (): Promise<Answer> => {
      for (const route of routes) {
        const match = route.method === recorded.method ? recorded.path.match(route.pattern) : null;
        if (match) return route.respond(recorded, match);
      }
      return [404, stripeError("invalid_request_error", `Unrecognized request URL (${recorded.method}: ${recorded.path}).`)];
    };
    const wrapper = wrappers.get(failureKey);
    try {
      const [status, payload] = wrapper ? await wrapper(recorded, answer) : await answer();
      send(status, payload);
    } catch (error) {
      // A test's wrapper that throws fails the request instead of leaving it unanswered.
      console.error("fake Stripe API: answering failed", error);
      send(500, stripeError("api_error", `The fake Stripe API failed: ${String(error)}`), { "stripe-should-retry": "false" });
    }
  });

  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;

  return {
    env: { STRIPE_API_HOST: "127.0.0.1", STRIPE_API_PORT: String(port), STRIPE_API_PROTOCOL: "http" },
    requests,
    requestsTo: (method, path) => requests.filter((r) => r.method === method && r.path === path),
    putSubscription: (subscription) => void subscriptions.set(subscription.id, subscription),
    setCustomerCreateDelay: (ms) => void (customerCreateDelay = ms),
    createdCustomers: () => [...createdCustomers],
    aroundAnswer: (method, path, wrapper) => void wrappers.set(`${method} ${path}`, wrapper),
    failNext: (method, path, failure) => void failures.set(`${method} ${path}`, failure),
    reset: () => {
      requests.length = 0;
      subscriptions.clear();
      failures.clear();
      wrappers.clear();
      createdCustomers.length = 0;
      customerCreateDelay = 0;
    },
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

function stripeError(type: string, message: string, code?: string) {
  return { error: { type, message, ...(code ? { code } : {}) } };
}

function nowSeconds(): number {
  return Math.floor(Date.now() / 1000);
}

function header(request: http.IncomingMessage, name: string): string | undefined {
  const value = request.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

async function readBody(request: http.IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString("utf8");
}

/** Stripe's bracket notation: `line_items[0][price]=p` → `{line_items: [{price: "p"}]}`. */
export function decodeStripeParams(search: URLSearchParams): Record<string, unknown> {
  const root: Record<string, unknown> = {};
  for (const [key, value] of search) {
    const path = key.split(/[[\]]+/).filter((segment) => segment !== "");
    let node: Record<string, unknown> | unknown[] = root;
    path.forEach((segment, index) => {
      const last = index === path.length - 1;
      const nextIsIndex = !last && /^\d+$/.test(path[index + 1]!);
      const slot = Array.isArray(node) ? Number(segment) : segment;
      const container = node as Record<string | number, unknown>;
      if (last) {
        container[slot] = value;
      } else {
        container[slot] ??= nextIsIndex ? [] : {};
        node = container[slot] as Record<string, unknown> | unknown[];
      }
    });
  }
  return root;
}
