import { z } from 'zod';

/** Locales with message catalogs. */
export const LOCALES = ['en', 'es', 'ca'] as const;
export const Locale = z.enum(LOCALES);
export type Locale = z.infer<typeof Locale>;

/** ISO 3166-1 alpha-2 country. */
export const Country = z.string().regex(/^[A-Z]{2}$/, 'Use a two-letter country code such as ES');

export const Email = z
  .string()
  .trim()
  .toLowerCase()
  .max(254)
  .pipe(z.email({ message: 'Enter a valid e-mail address' }));

/** A password good enough for a control panel that can change DNS and servers. */
export const Password = z
  .string()
  .min(12, 'Use at least 12 characters')
  .max(256)
  .refine((p) => new Set(p).size >= 5, 'Use a less repetitive password');

/** Lower-case identifier usable in URLs and hostnames. */
export const Slug = z
  .string()
  .trim()
  .toLowerCase()
  .regex(/^[a-z0-9](?:[a-z0-9-]{0,38}[a-z0-9])?$/, 'Use 1–40 lower-case letters, digits and dashes');

/** A human name or label: printable, no control characters. */
export const Label = (max = 200) =>
  z
    .string()
    .trim()
    .min(1, 'Required')
    .max(max)
    .refine((s) => !/[\u0000-\u001f\u007f]/.test(s), 'Control characters are not allowed');

/** ISO 8601 timestamp string. */
export const Timestamp = z.string().datetime({ offset: true });

/** Pagination query shared by every list. */
export const PageQuery = z.object({
  limit: z.coerce.number().int().min(1).max(200).default(50),
  cursor: z.string().max(2000).optional(),
});
export type PageQuery = z.infer<typeof PageQuery>;

/** A page of items plus an opaque cursor for the next page. */
export interface Page<T> {
  items: T[];
  nextCursor?: string;
}

/**
 * The PATCH form of an input schema: every field optional and **without its default**. (`.partial()` keeps
 * defaults in Zod 4, so a patch that omits `transport` would silently reset it to the default.)
 */
export function patchOf<Shape extends z.ZodRawShape>(schema: z.ZodObject<Shape>) {
  const shape = Object.fromEntries(
    Object.entries(schema.shape).map(([key, field]) => {
      const bare = field instanceof z.ZodDefault ? (field.unwrap() as z.ZodType) : (field as z.ZodType);
      return [key, bare.optional()];
    }),
  ) as unknown as { [K in keyof Shape]: z.ZodOptional<Shape[K] extends z.ZodDefault<infer T> ? T : Shape[K]> };
  return z.object(shape);
}
