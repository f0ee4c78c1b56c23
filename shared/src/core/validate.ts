import type { z } from 'zod';
import { ValidationError } from './errors';

/** Parse untrusted input; a failure becomes a 422 ValidationError whose details are the zod issues. */
export function parseInput<S extends z.ZodType>(schema: S, input: unknown, pathPrefix: (string | number)[] = []): z.output<S> {
  const result = schema.safeParse(input);
  if (!result.success) {
    throw new ValidationError(
      'Some fields are not valid',
      result.error.issues.map((i) => ({
        path: [...pathPrefix, ...i.path.map((p) => (typeof p === 'symbol' ? String(p) : p))],
        message: i.message,
        code: i.code,
      })),
    );
  }
  return result.data;
}
