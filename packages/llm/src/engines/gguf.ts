/**
 * Reads a GGUF file's own metadata (header, key/values and tensor infos; never the tensor data): the
 * architecture, name, quantization (`general.file_type`), parameter count (summed over the tensor
 * shapes) and the training context. Format: ggml's docs/gguf.md (little-endian, version 2 and 3).
 */
import { closeSync, openSync, readSync } from 'node:fs';

/** What `bench` reports about a GGUF model. */
export interface GgufInfo {
  architecture: string | null;
  name: string | null;
  /** `general.file_type` as llama.cpp names it (`Q8_0`, `Q4_K_M`, `F16`...), or `type N` when unknown. */
  quant: string | null;
  /** Sum of every tensor's element count. */
  parameters: number;
  tensors: number;
  contextLength: number | null;
  version: number;
}

// llama.h: enum llama_ftype (LLAMA_FTYPE_MOSTLY_*), at llama.cpp de3ff81.
const FILE_TYPES: Record<number, string> = {
  0: 'F32',
  1: 'F16',
  2: 'Q4_0',
  3: 'Q4_1',
  7: 'Q8_0',
  8: 'Q5_0',
  9: 'Q5_1',
  10: 'Q2_K',
  11: 'Q3_K_S',
  12: 'Q3_K_M',
  13: 'Q3_K_L',
  14: 'Q4_K_S',
  15: 'Q4_K_M',
  16: 'Q5_K_S',
  17: 'Q5_K_M',
  18: 'Q6_K',
  19: 'IQ2_XXS',
  20: 'IQ2_XS',
  21: 'Q2_K_S',
  22: 'IQ3_XS',
  23: 'IQ3_XXS',
  24: 'IQ1_S',
  25: 'IQ4_NL',
  26: 'IQ3_S',
  27: 'IQ3_M',
  28: 'IQ2_S',
  29: 'IQ2_M',
  30: 'IQ4_XS',
  31: 'IQ1_M',
  32: 'BF16',
  36: 'TQ1_0',
  37: 'TQ2_0',
  38: 'MXFP4_MOE',
  39: 'NVFP4',
  40: 'Q1_0',
  41: 'Q2_0',
};

// gguf_type: UINT8 0, INT8 1, UINT16 2, INT16 3, UINT32 4, INT32 5, FLOAT32 6, BOOL 7, STRING 8, ARRAY 9,
// UINT64 10, INT64 11, FLOAT64 12. Byte sizes of the fixed-size ones:
const FIXED_SIZE: Record<number, number> = {
  0: 1,
  1: 1,
  2: 2,
  3: 2,
  4: 4,
  5: 4,
  6: 4,
  7: 1,
  10: 8,
  11: 8,
  12: 8,
};
const T_STRING = 8;
const T_ARRAY = 9;
/** Strings and arrays longer than this are not a GGUF we can trust. */
const MAX_LEN = 1 << 30;

/** A forward-only reader over a file, through a small buffer. */
class FileReader {
  private buf = Buffer.alloc(1 << 20);
  private start = 0;
  private end = 0;
  private pos = 0;

  constructor(private readonly fd: number) {}

  private need(n: number): void {
    if (this.end - this.start >= n) return;
    if (n > this.buf.length) {
      const grown = Buffer.alloc(n);
      this.buf.copy(grown, 0, this.start, this.end);
      this.buf = grown;
    } else {
      this.buf.copy(this.buf, 0, this.start, this.end);
    }
    this.end -= this.start;
    this.start = 0;
    while (this.end < n) {
      const got = readSync(this.fd, this.buf, this.end, this.buf.length - this.end, this.pos);
      if (got === 0) throw new Error('file ends inside the GGUF header');
      this.pos += got;
      this.end += got;
    }
  }

  u32(): number {
    this.need(4);
    const v = this.buf.readUInt32LE(this.start);
    this.start += 4;
    return v;
  }

  u64(): number {
    this.need(8);
    const v = this.buf.readBigUInt64LE(this.start);
    this.start += 8;
    if (v > BigInt(Number.MAX_SAFE_INTEGER)) throw new Error('64-bit value out of range');
    return Number(v);
  }

  skip(n: number): void {
    while (n > 0) {
      const take = Math.min(n, this.buf.length);
      this.need(take);
      this.start += take;
      n -= take;
    }
  }

  string(): string {
    const len = this.u64();
    if (len > MAX_LEN) throw new Error('string too long');
    this.need(len);
    const s = this.buf.toString('utf8', this.start, this.start + len);
    this.start += len;
    return s;
  }

  /** A value of type `t`; scalars and strings are returned, arrays skipped (null). */
  value(t: number): string | number | boolean | null {
    if (t === T_STRING) return this.string();
    if (t === T_ARRAY) {
      const inner = this.u32();
      const n = this.u64();
      if (n > MAX_LEN) throw new Error('array too long');
      const size = FIXED_SIZE[inner];
      if (size !== undefined) this.skip(size * n);
      else for (let i = 0; i < n; i++) this.value(inner);
      return null;
    }
    const size = FIXED_SIZE[t];
    if (size === undefined) throw new Error(`unknown value type ${t}`);
    this.need(size);
    const b = this.buf;
    const at = this.start;
    this.start += size;
    switch (t) {
      case 0:
        return b.readUInt8(at);
      case 1:
        return b.readInt8(at);
      case 2:
        return b.readUInt16LE(at);
      case 3:
        return b.readInt16LE(at);
      case 4:
        return b.readUInt32LE(at);
      case 5:
        return b.readInt32LE(at);
      case 6:
        return b.readFloatLE(at);
      case 7:
        return b.readUInt8(at) !== 0;
      case 12:
        return b.readDoubleLE(at);
      default:
        return Number(t === 10 ? b.readBigUInt64LE(at) : b.readBigInt64LE(at));
    }
  }
}

/** Is this file a GGUF (by its magic bytes)? */
export function isGguf(path: string): boolean {
  try {
    const fd = openSync(path, 'r');
    try {
      const magic = Buffer.alloc(4);
      return readSync(fd, magic, 0, 4, 0) === 4 && magic.toString('latin1') === 'GGUF';
    } finally {
      closeSync(fd);
    }
  } catch {
    return false;
  }
}

/** The model's own metadata; throws (with the reason) when the file is not a readable GGUF. */
export function readGgufInfo(path: string): GgufInfo {
  const fd = openSync(path, 'r');
  try {
    const r = new FileReader(fd);
    if (r.u32() !== 0x46554747) throw new Error('not a GGUF file (bad magic)');
    const version = r.u32();
    if (version < 2 || version > 3) throw new Error(`GGUF version ${version} is not supported`);
    const tensors = r.u64();
    const kvs = r.u64();
    const kv = new Map<string, string | number | boolean>();
    for (let i = 0; i < kvs; i++) {
      const key = r.string();
      const v = r.value(r.u32());
      if (v !== null) kv.set(key, v);
    }
    let parameters = 0;
    for (let i = 0; i < tensors; i++) {
      r.string();
      const dims = r.u32();
      if (dims > 8) throw new Error('tensor with more than 8 dimensions');
      let n = 1;
      for (let d = 0; d < dims; d++) n *= r.u64();
      r.u32(); // ggml type
      r.u64(); // data offset
      parameters += n;
    }
    const str = (k: string): string | null => (typeof kv.get(k) === 'string' ? (kv.get(k) as string) : null);
    const architecture = str('general.architecture');
    const fileType = kv.get('general.file_type');
    const ctx = architecture ? kv.get(`${architecture}.context_length`) : undefined;
    return {
      architecture,
      name: str('general.name'),
      quant: typeof fileType === 'number' ? (FILE_TYPES[fileType] ?? `type ${fileType}`) : null,
      parameters,
      tensors,
      contextLength: typeof ctx === 'number' ? ctx : null,
      version,
    };
  } finally {
    closeSync(fd);
  }
}

/** `78.3M`, `8.03B`: a parameter count the way model cards write it. */
export function formatParameters(n: number): string {
  if (n >= 1e9) return `${(n / 1e9).toFixed(2)}B`;
  if (n >= 1e6) return `${(n / 1e6).toFixed(1)}M`;
  return `${(n / 1e3).toFixed(1)}K`;
}
