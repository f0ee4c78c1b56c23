import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import type { z } from 'zod';
import type { Actor } from '@consort/shared/core/actor';
import type { AppDeps } from '../lib/deps';

export type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

export interface RouteContext {
  deps: AppDeps;
  /** Undefined only on public routes. */
  actor: Actor;
  params: Record<string, string>;
  query: Record<string, string>;
  body: unknown;
  token?: string;
  event: APIGatewayProxyEventV2;
}

export interface RouteResult {
  status: number;
  body?: unknown;
}

/** One REST route: its OpenAPI description (schemas double as docs) and its thin handler. */
export interface RouteDefinition {
  method: Method;
  /** OpenAPI-style path, e.g. `/v1/accounts/{accountId}`. */
  path: string;
  summary: string;
  tag: string;
  /** Public routes need no token (signup, sign-in, the OpenAPI document). */
  isPublic?: boolean;
  body?: z.ZodType;
  query?: z.ZodType;
  /** Success status and (optionally) the schema of the response body. */
  status: number;
  response?: z.ZodType;
  handle(ctx: RouteContext): Promise<unknown>;
}

/** Declare a route; the handler returns the response body (or undefined for 204). */
export function route(def: RouteDefinition): RouteDefinition {
  return def;
}
