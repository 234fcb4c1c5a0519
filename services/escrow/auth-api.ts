/**
 * @module Escrow's login API (seed 004): `POST /api/v1/auth/accounts` (register; the TOTP
 * secret is shown once), `POST /api/v1/auth/login` (the password, answered with an OTP
 * challenge) and `POST /api/v1/auth/otp` (the code, answered with an access token for
 * `escrow:trade`). These routes need no token: they are how one is obtained.
 */
import { createRoute, type z } from "@hono/zod-openapi";
import type { ServiceApp } from "../kit/app-env";
import { problem } from "../kit/problem";
import { problemResponses } from "../kit/problem-schema";
import { AccountExistsError } from "./accounts";
import {
  accountCreateSchema,
  challengeSchema,
  enrolmentSchema,
  issuedTokenSchema,
  loginSchema,
  otpSchema,
} from "./api-schemas";
import type { EscrowContext } from "./escrow-context";
import { finishLogin, register, startLogin } from "./login";
import { escrowProblems } from "./problems";

const json = <S extends z.ZodType>(schema: S) => ({ "application/json": { schema } });

const registerRoute = createRoute({
  method: "post",
  path: "/api/v1/auth/accounts",
  summary: "Register a user id and password; answers the TOTP secret for an authenticator app",
  request: { body: { content: json(accountCreateSchema), required: true } },
  responses: {
    201: { description: "Registered", content: json(enrolmentSchema) },
    ...problemResponses(409, 422, 503),
  },
});

const loginRoute = createRoute({
  method: "post",
  path: "/api/v1/auth/login",
  summary: "Check a user's password; answers the OTP challenge to complete",
  request: { body: { content: json(loginSchema), required: true } },
  responses: {
    200: { description: "Password accepted; send the OTP", content: json(challengeSchema) },
    ...problemResponses(401, 422, 423, 429, 503),
  },
});

const otpRoute = createRoute({
  method: "post",
  path: "/api/v1/auth/otp",
  summary: "Check the OTP of a challenge; answers an access token",
  request: { body: { content: json(otpSchema), required: true } },
  responses: {
    200: { description: "Logged in", content: json(issuedTokenSchema) },
    ...problemResponses(401, 422, 423, 503),
  },
});

export function mountAuthApi(app: ServiceApp, context: EscrowContext): void {
  app.openapi(registerRoute, async function registerAccount(c) {
    const { userId, password } = c.req.valid("json");
    const enrolment = await register(context, userId, password).catch((error: unknown) => {
      if (!(error instanceof AccountExistsError)) throw error;
      throw problem({
        type: escrowProblems.accountExists,
        title: "User id taken",
        status: 409,
        detail: error.message,
      });
    });
    return c.json(enrolment, 201);
  });

  app.openapi(loginRoute, async function login(c) {
    const { userId, password } = c.req.valid("json");
    return c.json(await startLogin(context, userId, password), 200);
  });

  app.openapi(otpRoute, async function verifyOtp(c) {
    const { challengeId, code } = c.req.valid("json");
    return c.json(await finishLogin(context, challengeId, code), 200);
  });
}
