// The one parser of HTTP input: path parameters, query and body go through the endpoint's zod
// schema here, at the edge, and a failure is a typed `bad_request` naming every issue.
import type { z } from 'zod';
import { AppError } from '../errors.ts';

/** `details` is `['field.path: message', …]` (the pages show it next to "please check"). */
export function parseInput<S extends z.ZodType>(schema: S, value: unknown, what: string): z.output<S> {
  const r = schema.safeParse(value);
  if (r.success) return r.data;
  const issues = r.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`);
  throw new AppError('bad_request', `invalid ${what}: ${issues.join('; ')}`, issues);
}
