/**
 * A tiny WebAssembly binary writer: just the opcodes the GEMM kernels need (i32 arithmetic, structured control
 * flow, v128 loads/stores and f32x4/f64x2 arithmetic), and a module with one imported memory and exported
 * functions. Reference: the WebAssembly core spec §5 (binary format) and the fixed-width SIMD proposal.
 */

/** Value types by their binary code. */
export const I32 = 0x7f;
/** The 128-bit vector value type. */
export const V128 = 0x7b;

/** Unsigned LEB128 encoding of a non-negative integer below 2³². */
export function uleb(value: number): number[] {
  const out: number[] = [];
  let v = value >>> 0;
  do {
    let byte = v & 0x7f;
    v >>>= 7;
    if (v !== 0) byte |= 0x80;
    out.push(byte);
  } while (v !== 0);
  return out;
}

/** Signed LEB128 encoding of a 32-bit integer. */
export function sleb(value: number): number[] {
  const out: number[] = [];
  let v = value | 0;
  for (;;) {
    const byte = v & 0x7f;
    v >>= 7;
    const done = (v === 0 && (byte & 0x40) === 0) || (v === -1 && (byte & 0x40) !== 0);
    out.push(done ? byte : byte | 0x80);
    if (done) return out;
  }
}

/** SIMD opcodes (after the 0xfd prefix) used by the kernels. */
export const Simd = {
  load: 0x00,
  load32Splat: 0x09,
  load64Splat: 0x0a,
  store: 0x0b,
  const: 0x0c,
  f32x4Add: 0xe4,
  f32x4Mul: 0xe6,
  f64x2Add: 0xf0,
  f64x2Mul: 0xf2,
} as const;

/** Builds one function body instruction by instruction; every method appends and returns `this`. */
export class CodeWriter {
  readonly bytes: number[] = [];

  /** local.get */
  get(local: number): this {
    return this.op(0x20, ...uleb(local));
  }
  /** local.set */
  set(local: number): this {
    return this.op(0x21, ...uleb(local));
  }
  /** i32.const */
  i32(value: number): this {
    return this.op(0x41, ...sleb(value));
  }
  /** i32.add */
  add(): this {
    return this.op(0x6a);
  }
  /** i32.sub */
  sub(): this {
    return this.op(0x6b);
  }
  /** local += constant (i32). */
  addConst(local: number, value: number): this {
    return this.get(local).i32(value).add().set(local);
  }
  /** local += other local (i32). */
  addLocal(local: number, other: number): this {
    return this.get(local).get(other).add().set(local);
  }
  /** i32.mul */
  mul(): this {
    return this.op(0x6c);
  }
  /** i32.lt_u */
  ltU(): this {
    return this.op(0x49);
  }
  /** i32.ne */
  ne(): this {
    return this.op(0x47);
  }
  /** block with empty result type. */
  block(): this {
    return this.op(0x02, 0x40);
  }
  /** loop with empty result type. */
  loop(): this {
    return this.op(0x03, 0x40);
  }
  /** if with empty result type (pops an i32 condition). */
  if(): this {
    return this.op(0x04, 0x40);
  }
  /** else */
  else(): this {
    return this.op(0x05);
  }
  /** end of block / loop / if / function. */
  end(): this {
    return this.op(0x0b);
  }
  /** br_if to the enclosing label at `depth`. */
  brIf(depth: number): this {
    return this.op(0x0d, ...uleb(depth));
  }
  /** A SIMD instruction with an optional memory argument (log2 alignment, byte offset). */
  simd(opcode: number, memarg?: { align: number; offset: number }): this {
    this.op(0xfd, ...uleb(opcode));
    if (memarg) this.op(...uleb(memarg.align), ...uleb(memarg.offset));
    return this;
  }
  /** v128.const of all-zero bits. */
  zeroV128(): this {
    return this.simd(Simd.const).op(...new Array<number>(16).fill(0));
  }
  /** Raw bytes. */
  op(...bytes: number[]): this {
    for (const b of bytes) this.bytes.push(b);
    return this;
  }
}

/** One exported function: parameter count (all i32), local declarations beyond the parameters, body. */
export interface FunctionDef {
  name: string;
  params: number;
  locals: ReadonlyArray<{ count: number; type: number }>;
  body: CodeWriter;
}

/** Section with its id and length prefix. */
function section(id: number, content: number[]): number[] {
  return [id, ...uleb(content.length), ...content];
}

/** Length-prefixed vector of items. */
function vec(items: number[][]): number[] {
  return [...uleb(items.length), ...items.flat()];
}

/** UTF-8 name. */
function name(text: string): number[] {
  const bytes = Array.from(new TextEncoder().encode(text));
  return [...uleb(bytes.length), ...bytes];
}

/** A module that imports memory `env.memory` and exports `functions` (i32 params, no results). */
export function encodeModule(functions: readonly FunctionDef[]): Uint8Array<ArrayBuffer> {
  const types = functions.map((f) => [0x60, ...uleb(f.params), ...new Array<number>(f.params).fill(I32), 0]);
  const imports = [[...name('env'), ...name('memory'), 0x02, 0x00, ...uleb(1)]];
  const funcs = functions.map((_, i) => uleb(i));
  const exports = functions.map((f, i) => [...name(f.name), 0x00, ...uleb(i)]);
  const codes = functions.map((f) => {
    const locals = vec(f.locals.map((l) => [...uleb(l.count), l.type]));
    const body = [...locals, ...f.body.bytes, 0x0b];
    return [...uleb(body.length), ...body];
  });
  return new Uint8Array([
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
    ...section(1, vec(types)),
    ...section(2, vec(imports)),
    ...section(3, vec(funcs)),
    ...section(7, vec(exports)),
    ...section(10, vec(codes)),
  ]);
}
