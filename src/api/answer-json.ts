/** JSON of `items` arrays already encoded, by identity; only frozen arrays are kept (they never change). */
const encoded = new WeakMap<readonly unknown[], string>();

/**
 * JSON.stringify of an answer, except that a frozen `items` array is encoded once and reused: a
 * cached recommendation list is served many times with a new recommendationId each time, and
 * encoding its items is most of the cost of the answer.
 */
export function answerJson(value: unknown): string {
  const items = (value as { items?: unknown } | null)?.items;
  if (!Array.isArray(items) || !Object.isFrozen(items)) return JSON.stringify(value);
  let json = encoded.get(items);
  if (json === undefined) {
    json = JSON.stringify(items);
    encoded.set(items, json);
  }
  // Lists put `items` last: the rest of the answer with a stand-in for them ends in `"items":0}`.
  const text = JSON.stringify({ ...(value as object), items: 0 });
  return text.endsWith('"items":0}') ? `${text.slice(0, -2)}${json}}` : JSON.stringify(value);
}
