/**
 * @module A tiny service defined only for the kit's integration tests: it creates "things"
 * (one row per effect, with an outbox event and an audit row), answers a money-moving payout
 * route that enforces WithdrawalHalt, and has a route that fails unexpectedly.
 */
import { join } from "node:path";
import { createRoute, z } from "@hono/zod-openapi";
import type { Test } from "uvu";
import type { RunningService } from "../../services/kit";
import {
  answerInTransaction,
  appendAudit,
  defineService,
  enqueueEvent,
  problem,
  refuse,
  requireIdempotencyKey,
  scopeIncludes,
  startService,
  storeIdempotentJson,
  withTransaction,
} from "../../services/kit";
import { type PostgresServer, startPostgres } from "../harness/postgres";
import { type RedisServer, startRedis } from "../harness/redis";

export const adminToken = "test-admin-token-0123456789";

const thingSchema = z.object({
  name: z.string().min(1),
  amount: z.string().regex(/^\d+$/, "expected an integer amount in minor units"),
});

export const testService = defineService({
  name: "kittest",
  migrationsDir: join(import.meta.dirname, "fixtures", "migrations"),
  controlKinds: ["WithdrawalHalt", "SymbolMode"],
  routes(app, ctx) {
    app.openapi(
      createRoute({
        method: "post",
        path: "/v1/things",
        request: {
          body: { required: true, content: { "application/json": { schema: thingSchema } } },
        },
        responses: {
          201: {
            description: "Created",
            content: { "application/json": { schema: z.object({ id: z.string() }) } },
          },
        },
      }),
      async function createThing(c) {
        const body = c.req.valid("json");
        const id = await withTransaction(ctx.pool, async (tx) => {
          // Widen the window in which concurrent repeats overlap.
          await tx.query("SELECT pg_sleep(0.05)");
          const row = await tx.query<{ id: string }>(
            "INSERT INTO things (name, amount) VALUES ($1, $2) RETURNING id",
            [body.name, body.amount],
          );
          const thingId = row.rows[0]!.id;
          enqueueEvent(tx, "kittest.things", `thing:${body.name}`, { id: thingId, ...body });
          await appendAudit(tx, {
            actor: "test",
            action: "thing.create",
            subject: thingId,
            after: body,
          });
          return thingId;
        });
        return c.json({ id, name: body.name, amount: body.amount, at: Date.now() }, 201);
      },
    );
    // Answers in the transaction of its effect (the kit's path for money-moving routes); a
    // name that is already taken is refused, as a later repeat of a create would be.
    app.post("/v1/atomic-things", answerInTransaction(), async (c) => {
      const body = (await c.req.json()) as {
        name: string;
        sleepMs?: number;
        failAfterStore?: boolean;
      };
      return withTransaction(ctx.pool, async (tx) => {
        await tx.query("SELECT pg_sleep($1::float8 / 1000)", [body.sleepMs ?? 50]);
        const taken = await tx.query("SELECT 1 FROM things WHERE name = $1", [body.name]);
        if (taken.rowCount) {
          throw problem({ type: "test/name-taken", title: "Name taken", status: 422 });
        }
        const row = await tx.query<{ id: string }>(
          "INSERT INTO things (name, amount) VALUES ($1, '1') RETURNING id",
          [body.name],
        );
        const response = storeIdempotentJson(
          c,
          tx,
          { id: row.rows[0]!.id, name: body.name, at: Date.now() },
          201,
        );
        if (body.failAfterStore) throw new Error("failed after the answer was written");
        return response;
      });
    });
    app.get("/v1/things/:id", async (c) => {
      const row = await ctx.pool.query("SELECT id, name FROM things WHERE id = $1", [
        c.req.param("id"),
      ]);
      return row.rows[0] ? c.json(row.rows[0]) : c.json({ error: "none" }, 404);
    });
    app.use("/v1/strict", requireIdempotencyKey());
    app.post("/v1/strict", async (c) => {
      await ctx.pool.query("INSERT INTO things (name, amount) VALUES ('strict', '1')");
      return c.json({ ok: true, at: Date.now() }, 201);
    });
    let flakyCalls = 0;
    app.post("/v1/flaky", async (c) => {
      flakyCalls += 1;
      if (flakyCalls === 1) {
        throw problem({ type: "test/flaky", title: "Try again", status: 503 });
      }
      await ctx.pool.query("INSERT INTO things (name, amount) VALUES ('flaky', '1')");
      return c.json({ ok: true, call: flakyCalls }, 201);
    });
    app.get("/v1/slow", async (c) => {
      await new Promise((resolve) => setTimeout(resolve, Number(c.req.query("ms") ?? "1000")));
      return c.json({ slept: true });
    });
    app.get("/v1/boom", () => {
      throw new Error("kaboom with a secret inside");
    });
    app.post("/v1/payouts", async (c) => {
      const { currency } = (await c.req.json()) as { currency: string };
      const halt = ctx.controls.findBlocking("WithdrawalHalt", (control) => {
        const scope = (control.spec.scope ?? {}) as { services?: string[]; currencies?: string[] };
        return (
          scopeIncludes(scope.services, "kittest") && scopeIncludes(scope.currencies, currency)
        );
      });
      if (halt) throw refuse(halt, "withdrawals/halted", "Withdrawals are halted", 423);
      return c.json({ status: "accepted", currency }, 201);
    });
  },
});

/** Environment for one replica of the test service. */
export function testEnv(
  databaseUrl: string,
  redis: RedisServer,
  extra: Record<string, string> = {},
): Record<string, string> {
  return {
    PORT: "0",
    HOST: "127.0.0.1",
    DATABASE_URL: databaseUrl,
    REDIS_URL: redis.url,
    KAFKA_BROKERS: "127.0.0.1:1",
    ADMIN_TOKEN: adminToken,
    LOG_LEVEL: "silent",
    CONTROLS_RELOAD_MS: "500",
    CONTROLS_HEARTBEAT_MS: "300",
    CONTROLS_REPLICA_TTL_MS: "3000",
    ...extra,
  };
}

/** Start one replica of the test service against a database of `postgres`. */
export async function startTestService(
  postgres: PostgresServer,
  redis: RedisServer,
  extra: Record<string, string> = {},
  databaseUrl?: string,
) {
  return startService(
    testService,
    testEnv(databaseUrl ?? (await postgres.createDatabase()), redis, extra),
  );
}

/** `fetch` with the admin token. */
export function adminFetch(url: string, init: RequestInit = {}): Promise<Response> {
  return fetch(url, {
    ...init,
    headers: {
      authorization: `Bearer ${adminToken}`,
      "content-type": "application/json",
      ...init.headers,
    },
  });
}

/** A test file's servers and its one replica of the test service, started before its tests. */
export interface TestServiceRun {
  readonly postgres: PostgresServer;
  readonly redis: RedisServer;
  readonly service: RunningService;
}

/**
 * Start PostgreSQL, Redis and one replica of the test service before `suite`'s tests and
 * stop them after; the returned object holds them once started.
 *
 * @example const run = useTestService(test); ... fetch(`${run.service.url}/v1/things`)
 */
export function useTestService(suite: Test): TestServiceRun {
  const run = {} as { postgres: PostgresServer; redis: RedisServer; service: RunningService };
  suite.before(async () => {
    [run.postgres, run.redis] = await Promise.all([startPostgres(), startRedis()]);
    run.service = await startTestService(run.postgres, run.redis);
  });
  suite.after(async () => {
    await run.service?.stop();
    await Promise.all([run.redis?.stop(), run.postgres?.stop()]);
  });
  return run;
}
