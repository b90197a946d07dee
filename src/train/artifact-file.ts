import type { Artifact } from '../models/recommend/contract.js';

/**
 * One artifact as one binary file: a little-endian u32 header length, the JSON header (name,
 * params, meta, and where each array lives), then every typed array at an 8-byte aligned offset.
 * Loading reads the file once and views the arrays in place, so a 500 MB model costs 500 MB.
 */

type ArrayType = 'f32' | 'f64' | 'u32' | 'i32';
type Typed = Artifact['arrays'][string];

interface Header {
  format: 1;
  name: string;
  params: Artifact['params'];
  meta: Artifact['meta'];
  arrays: { key: string; type: ArrayType; offset: number; length: number }[];
}

const typeOf = (a: Typed): ArrayType =>
  a instanceof Float32Array
    ? 'f32'
    : a instanceof Float64Array
      ? 'f64'
      : a instanceof Uint32Array
        ? 'u32'
        : 'i32';

const CONSTRUCTORS = {
  f32: Float32Array,
  f64: Float64Array,
  u32: Uint32Array,
  i32: Int32Array,
} as const;

const align8 = (n: number) => Math.ceil(n / 8) * 8;

/** The bytes of an artifact file. */
export function encodeArtifact(artifact: Artifact): Buffer {
  const entries = Object.entries(artifact.arrays);
  const layout: Header['arrays'] = [];
  let offset = 0;
  for (const [key, array] of entries) {
    layout.push({ key, type: typeOf(array), offset, length: array.length });
    offset = align8(offset + array.byteLength);
  }
  const header: Header = {
    format: 1,
    name: artifact.name,
    params: artifact.params,
    meta: artifact.meta,
    arrays: layout,
  };
  const json = Buffer.from(JSON.stringify(header), 'utf8');
  const start = align8(4 + json.length);
  const out = Buffer.alloc(start + offset);
  out.writeUInt32LE(json.length, 0);
  json.copy(out, 4);
  for (const [i, [, array]] of entries.entries()) {
    const bytes = Buffer.from(array.buffer, array.byteOffset, array.byteLength);
    bytes.copy(out, start + layout[i]!.offset);
  }
  return out;
}

/** Reads an artifact file's bytes back; throws naming what is wrong when they are not one. */
export function decodeArtifact(bytes: Uint8Array, source: string): Artifact {
  if (bytes.length < 4) throw new Error(`${source}: not an artifact file (too short)`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const length = view.getUint32(0, true);
  if (4 + length > bytes.length) throw new Error(`${source}: not an artifact file (bad header length)`);
  let header: Header;
  try {
    header = JSON.parse(Buffer.from(bytes.buffer, bytes.byteOffset + 4, length).toString('utf8')) as Header;
  } catch {
    throw new Error(`${source}: not an artifact file (header is not JSON)`);
  }
  if (header.format !== 1) throw new Error(`${source}: unknown artifact format ${String(header.format)}`);
  const start = align8(4 + length);
  // One aligned copy of the data section; every array is a view into it.
  const data = new ArrayBuffer(bytes.length - start);
  new Uint8Array(data).set(bytes.subarray(start));
  const arrays: Artifact['arrays'] = {};
  for (const a of header.arrays) {
    const Type = CONSTRUCTORS[a.type];
    if (!Type || a.offset + a.length * Type.BYTES_PER_ELEMENT > data.byteLength)
      throw new Error(`${source}: array "${a.key}" lies outside the file`);
    arrays[a.key] = new Type(data, a.offset, a.length);
  }
  return { name: header.name, params: header.params, meta: header.meta, arrays };
}
