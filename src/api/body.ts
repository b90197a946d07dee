import { gunzip } from 'node:zlib';
import type { z } from 'zod';
import { ApiError } from './errors.js';

/**
 * Where a body comes from: Node's request stream when served by node:http (no Web-stream
 * overhead on the hot path), or a Web Request's body in tests.
 */
export interface BodySource {
  header(name: string): string | undefined;
  body: AsyncIterable<Uint8Array> | null;
}

/**
 * Reads a JSON request body without trusting the client: the size limit is enforced while
 * streaming (and on the inflated size of gzip bodies), and a parse error says where it failed.
 */
export async function readJson(request: BodySource, limit: number): Promise<unknown> {
  const type = request.header('content-type') ?? '';
  if (type && !/^(application\/(\w+\+)?json|text\/plain)\b/i.test(type)) {
    throw new ApiError(
      'unsupported_media_type',
      `Content-Type "${type}" is not supported; send application/json`,
    );
  }
  const declared = Number(request.header('content-length') ?? '0');
  if (declared > limit) throw tooLarge(limit);
  let bytes = await readLimited(request, limit);
  const encoding = (request.header('content-encoding') ?? 'identity').toLowerCase();
  if (encoding === 'gzip') {
    bytes = await new Promise<Buffer>((resolve, reject) =>
      gunzip(bytes, { maxOutputLength: limit }, (error, out) =>
        error
          ? reject(
              /maxOutputLength|buffer/i.test(error.message)
                ? tooLarge(limit)
                : new ApiError('invalid_request', `body: not valid gzip (${error.message})`),
            )
          : resolve(out),
      ),
    );
  } else if (encoding !== 'identity') {
    throw new ApiError(
      'unsupported_media_type',
      `Content-Encoding "${encoding}" is not supported; use gzip or none`,
    );
  }
  if (bytes.length === 0) throw new ApiError('invalid_json', 'body: is empty; expected a JSON object');
  try {
    return JSON.parse(bytes.toString('utf8'));
  } catch (error) {
    throw new ApiError('invalid_json', `body: is not valid JSON (${(error as Error).message})`);
  }
}

async function readLimited(request: BodySource, limit: number): Promise<Buffer> {
  if (!request.body) return Buffer.alloc(0);
  const parts: Uint8Array[] = [];
  let size = 0;
  for await (const chunk of request.body) {
    size += chunk.byteLength;
    // Leaving the loop early destroys the stream: the rest of an oversized body is never buffered.
    if (size > limit) throw tooLarge(limit);
    parts.push(chunk);
  }
  return parts.length === 1
    ? Buffer.from(parts[0]!.buffer, parts[0]!.byteOffset, parts[0]!.byteLength)
    : Buffer.concat(parts);
}

function tooLarge(limit: number): ApiError {
  return new ApiError('payload_too_large', `body: larger than the limit of ${limit} bytes`, { limit });
}

/** A body checked against its schema; the first problem names its field. */
export function parseBody<S extends z.ZodType>(schema: S, body: unknown): z.output<S> {
  const parsed = schema.safeParse(body);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0]!;
  throw new ApiError(
    'invalid_request',
    `${issue.path.join('.') || 'body'}: ${issue.message}`,
    parsed.error.issues,
  );
}
