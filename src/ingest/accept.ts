import type { StoredEvent } from '../store/records.js';
import type { FieldError } from './issues.js';
import { type ValidateOptions, validateMessage } from './messages.js';

/** Why one record of a batch was refused: its position, the first offending field, and all issues. */
export interface Rejection {
  index: number;
  field: string;
  message: string;
  errors: FieldError[];
}

/** The valid records of a batch, normalized, and a precise reason for each invalid one. */
export interface Sorted<T> {
  valid: T[];
  accepted: number[];
  rejected: Rejection[];
}

/** What a validator says about one record. */
export type Verdict<T> = { ok: true; value: T } | { ok: false; errors: FieldError[] };

/** Validates each record on its own, so one bad record never costs the good ones. */
export function sortRecords<T>(raws: readonly unknown[], validate: (raw: unknown) => Verdict<T>): Sorted<T> {
  const out: Sorted<T> = { valid: [], accepted: [], rejected: [] };
  raws.forEach((raw, index) => {
    const verdict = validate(raw);
    if (verdict.ok) {
      out.valid.push(verdict.value);
      out.accepted.push(index);
    } else {
      const first = verdict.errors[0]!;
      out.rejected.push({ index, field: first.field, message: first.message, errors: verdict.errors });
    }
  });
  return out;
}

/** Sorts a batch of Segment messages. */
export function acceptMessages(raws: readonly unknown[], options: ValidateOptions): Sorted<StoredEvent> {
  return sortRecords(raws, (raw) => {
    const r = validateMessage(raw, options);
    return r.ok ? { ok: true, value: r.event } : r;
  });
}
