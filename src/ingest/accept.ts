import type { StoredEvent } from '../store/records.js';
import type { FieldError } from './issues.js';
import { type ValidateOptions, validateMessage } from './messages.js';

/** Why one message of a batch was refused: its position, the first offending field, and all issues. */
export interface Rejection {
  index: number;
  field: string;
  message: string;
  errors: FieldError[];
}

/** The valid messages of a batch, normalized, and a precise reason for each invalid one. */
export interface Sorted {
  events: StoredEvent[];
  accepted: number[];
  rejected: Rejection[];
}

/** Validates each message on its own, so one bad message never costs the good ones. */
export function acceptMessages(raws: readonly unknown[], options: ValidateOptions): Sorted {
  const out: Sorted = { events: [], accepted: [], rejected: [] };
  raws.forEach((raw, index) => {
    const result = validateMessage(raw, options);
    if (result.ok) {
      out.events.push(result.event);
      out.accepted.push(index);
    } else {
      out.rejected.push({
        index,
        field: result.errors[0]!.field,
        message: result.errors[0]!.message,
        errors: result.errors,
      });
    }
  });
  return out;
}
