import { CsvParser } from '../files/csv.js';

/** Reading the header row of a CSV on its own, for detection and `--map` checks before the import starts. */

/** The fields of one CSV line (quotes honored); empty when the line is empty. */
export function parseCsvHeader(line: string, delimiter = ','): string[] {
  const parser = new CsvParser({ delimiter });
  try {
    const rows = [...parser.push(line), ...parser.end()];
    return (rows[0]?.fields ?? []).map((f) => f.trim());
  } catch {
    return line.split(delimiter).map((f) => f.trim());
  }
}
