import type { z } from 'zod';

/** One reason a record was rejected: the dotted path of the offending field and what is wrong with it. */
export interface FieldError {
  field: string;
  message: string;
}

/** Renders a path like `properties.products[2].price`. */
export function fieldPath(path: readonly PropertyKey[], prefix = ''): string {
  let out = prefix;
  for (const key of path) {
    if (typeof key === 'number') out += `[${key}]`;
    else out += out ? `.${String(key)}` : String(key);
  }
  return out || '(body)';
}

/** Turns zod issues into field errors whose messages read well on their own ("price: must not be negative"). */
export function toFieldErrors(error: z.ZodError, prefix = ''): FieldError[] {
  return error.issues.map((issue) => {
    const field = fieldPath(issue.path, prefix);
    return { field, message: `${field}: ${describe(issue)}` };
  });
}

function describe(issue: z.core.$ZodIssue): string {
  // Messages written in our schemas read well as they are; zod's defaults get rephrased.
  if (!issue.message.startsWith('Invalid')) return issue.message;
  if (issue.code === 'invalid_type') {
    const received = /received (\w+)/.exec(issue.message)?.[1];
    if (received === 'undefined') return 'is required';
    return `expected ${issue.expected}${received ? `, got ${received}` : ''}`;
  }
  if (issue.code === 'invalid_union') {
    const deepest = issue.errors.flat().find((i) => i.code !== 'invalid_type');
    return deepest ? describe(deepest) : 'has the wrong type';
  }
  if (issue.code === 'invalid_value')
    return `expected one of ${issue.values.map((v) => JSON.stringify(v)).join(', ')}`;
  if (issue.code === 'unrecognized_keys') return `unknown field(s) ${issue.keys.join(', ')}`;
  return issue.message;
}
