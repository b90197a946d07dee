import { closeSync, fsyncSync, mkdirSync, openSync, renameSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';

/**
 * Small files that must survive a crash (model pointers, experiment definitions, erasures): bytes
 * on disk before the call returns, and replacements that leave the old file or the new one.
 */

/** Writes (`w`) or appends (`a`) the bytes and fsyncs the file. */
export function writeDurably(path: string, bytes: Buffer, flag: 'w' | 'a' = 'w'): void {
  const fd = openSync(path, flag);
  try {
    let at = 0;
    while (at < bytes.length) at += writeSync(fd, bytes, at, bytes.length - at);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/** Fsyncs a directory, so the names created or renamed in it are durable too. */
export function syncDirectory(path: string): void {
  const fd = openSync(path, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/** Replaces a JSON file durably: written and fsynced under a temporary name, then renamed. */
export function replaceJsonFile(path: string, value: unknown): void {
  mkdirSync(dirname(path), { recursive: true });
  writeDurably(`${path}.tmp`, Buffer.from(`${JSON.stringify(value, null, 2)}\n`, 'utf8'));
  renameSync(`${path}.tmp`, path);
  syncDirectory(dirname(path));
}
