import { parseTimestamp } from '../fields.js';
import { formatOf } from '../files/file-format.js';
import { readFirstLine } from '../files/text-file.js';
import { isDirectory, listFiles } from './input-paths.js';
import { normalizeTimestamp } from './local-time.js';
import type { ImportRecord, InputFile, Preset, PresetContext, PresetOptions } from './preset.js';
import { jsonObjectsOf, rejectAt } from './read-source.js';
import { contentId } from './record-id.js';

/**
 * Segment and RudderStack exports (S3/GCS destinations, warehouse dumps, `rudder-transformer`
 * fixtures): JSON Lines, usually gzipped, one message per line with its `type`. Extra top-level
 * fields of exports (receivedAt, _metadata, projectId, rudderId, channel, ...) are ignored by the
 * schema. A message without a messageId gets one derived from its content.
 */

const TIME_FIELDS = ['timestamp', 'originalTimestamp', 'sentAt', 'receivedAt'] as const;

/**
 * Fixes the time fields of an exported message. Offset-less or epoch times are converted in the
 * import's time zone. A message without `timestamp` gets the one Segment would have computed at
 * the time, `receivedAt - (sentAt - originalTimestamp)`, from the export's own receivedAt: left to
 * the validator, the clock-skew correction would use the import's arrival time instead.
 */
export function exportedMessage(message: Record<string, unknown>, zone: string): Record<string, unknown> {
  let out = message;
  for (const field of TIME_FIELDS) {
    const value = message[field];
    if (value === undefined) continue;
    const normalized = normalizeTimestamp(value, zone);
    if (normalized !== value) {
      if (out === message) out = { ...message };
      out[field] = normalized;
    }
  }
  if (out.timestamp === undefined || out.timestamp === null) {
    const at = (f: string) => (typeof out[f] === 'string' ? parseTimestamp(out[f] as string, 'UTC') : null);
    const original = at('originalTimestamp');
    const sent = at('sentAt');
    const received = at('receivedAt');
    const derived =
      original !== null && sent !== null && received !== null
        ? received - (sent - original)
        : (original ?? received);
    if (derived !== null) out = { ...out, timestamp: new Date(derived).toISOString() };
  }
  return out;
}

/** JSON Lines files among the paths (a directory contributes its .jsonl/.json/.ndjson files, gzipped or not). */
export async function jsonLinesFiles(paths: readonly string[]): Promise<InputFile[]> {
  const files: InputFile[] = [];
  for (const path of paths) {
    if (await isDirectory(path)) {
      const inside = (await listFiles(path)).filter((f) => formatOf(f) === 'jsonl');
      if (inside.length === 0)
        throw new Error(`${path}: no .jsonl, .ndjson or .json files in this directory`);
      files.push(...inside.map((f) => ({ path: f, role: 'events' })));
    } else {
      files.push({ path, role: 'events' });
    }
  }
  return files;
}

/** The top-level keys of the first record of a JSON Lines file, the columns `--map` can rename. */
export async function jsonLinesColumns(file: string): Promise<string[]> {
  try {
    const value = JSON.parse(await readFirstLine(file));
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? Object.keys(value) : [];
  } catch {
    return [];
  }
}

/** Streams the messages of Segment-style JSON Lines files as event records. */
export async function* segmentEvents(
  file: string,
  ctx: PresetContext,
  idPrefix: string,
): AsyncGenerator<ImportRecord> {
  const { map } = ctx.options;
  const timezone = ctx.options.timezone ?? 'UTC';
  for await (const entry of jsonObjectsOf(file, ctx)) {
    if ('error' in entry) {
      yield rejectAt(file, entry.line, 'event', '(line)', entry.error);
      continue;
    }
    const raw = exportedMessage(map.keys(entry.value), timezone);
    // Hash only when needed: most exports carry their own messageId.
    const id =
      raw.messageId === undefined || raw.messageId === null ? contentId(idPrefix, entry.text) : undefined;
    yield { kind: 'event', raw, id, file, line: entry.line };
  }
}

/** The `segment` preset. */
export const segmentPreset: Preset = {
  name: 'segment',
  summary:
    'Segment or RudderStack exports: JSON Lines (optionally gzipped), one message with its type per line',
  files: (paths: readonly string[], _options: PresetOptions) => jsonLinesFiles(paths),
  columns: (file) => jsonLinesColumns(file.path),
  async *read(files, ctx) {
    for (const file of files) yield* segmentEvents(file.path, ctx, 'segment');
  },
};
