/**
 * NumPy's `.npz`: a zip archive (stored, uncompressed) of `.npy` files, each a version 1.0 header
 * (`\x93NUMPY`, 1, 0, header length, a Python dict literal with `descr`, `fortran_order` and `shape`, padded so
 * the data starts on a 64-byte boundary) followed by the row-major little-endian f64 values. `np.load` reads it.
 */

/** One array of an archive: its name (`np.load(f)[name]`), shape and row-major values. */
export interface NpyArray {
  readonly name: string;
  readonly shape: readonly number[];
  readonly data: ArrayLike<number>;
}

/** The `.npy` bytes of one f64 array. */
export function npyBytes(shape: readonly number[], data: ArrayLike<number>): Uint8Array {
  const count = shape.reduce((a, b) => a * b, 1);
  if (count !== data.length) throw new RangeError(`npy: shape (${shape.join(', ')}) holds ${count} values, got ${data.length}`);
  const dims = shape.length === 1 ? `${shape[0]},` : shape.join(', ');
  let header = `{'descr': '<f8', 'fortran_order': False, 'shape': (${dims}), }`;
  const unpadded = 10 + header.length + 1;
  header += ' '.repeat((64 - (unpadded % 64)) % 64) + '\n';
  const out = new Uint8Array(10 + header.length + 8 * data.length);
  const view = new DataView(out.buffer);
  out.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0]);
  view.setUint16(8, header.length, true);
  for (let i = 0; i < header.length; i++) out[10 + i] = header.charCodeAt(i);
  const at = 10 + header.length;
  for (let i = 0; i < data.length; i++) view.setFloat64(at + 8 * i, data[i]!, true);
  return out;
}

/** CRC-32 (IEEE 802.3, the zip checksum) of `bytes`. */
export function crc32(bytes: Uint8Array): number {
  let c = 0xffffffff;
  for (let i = 0; i < bytes.length; i++) {
    c ^= bytes[i]!;
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ 0xedb88320 : c >>> 1;
  }
  return (c ^ 0xffffffff) >>> 0;
}

/** A zip archive of `files`, stored without compression (no zip64: the whole archive stays under 4 GiB). */
export function zipStore(files: readonly { readonly name: string; readonly data: Uint8Array }[]): Uint8Array {
  const names = files.map((f) => new TextEncoder().encode(f.name));
  const localSize = files.reduce((s, f, i) => s + 30 + names[i]!.length + f.data.length, 0);
  const centralSize = names.reduce((s, n) => s + 46 + n.length, 0);
  if (localSize + centralSize + 22 >= 2 ** 32) throw new RangeError('zip: archives of 4 GiB or more are not supported');
  const out = new Uint8Array(localSize + centralSize + 22);
  const view = new DataView(out.buffer);
  let at = 0;
  let central = localSize;
  files.forEach((f, i) => {
    const name = names[i]!;
    const crc = crc32(f.data);
    // Local file header: version 2.0, no flags, stored, DOS date 1980-01-01 00:00.
    view.setUint32(at, 0x04034b50, true);
    view.setUint16(at + 4, 20, true);
    view.setUint16(at + 12, 0x21, true);
    view.setUint32(at + 14, crc, true);
    view.setUint32(at + 18, f.data.length, true);
    view.setUint32(at + 22, f.data.length, true);
    view.setUint16(at + 26, name.length, true);
    out.set(name, at + 30);
    out.set(f.data, at + 30 + name.length);
    view.setUint32(central, 0x02014b50, true);
    view.setUint16(central + 4, 20, true);
    view.setUint16(central + 6, 20, true);
    view.setUint16(central + 14, 0x21, true);
    view.setUint32(central + 16, crc, true);
    view.setUint32(central + 20, f.data.length, true);
    view.setUint32(central + 24, f.data.length, true);
    view.setUint16(central + 28, name.length, true);
    view.setUint32(central + 42, at, true);
    out.set(name, central + 46);
    at += 30 + name.length + f.data.length;
    central += 46 + name.length;
  });
  view.setUint32(central, 0x06054b50, true);
  view.setUint16(central + 8, files.length, true);
  view.setUint16(central + 10, files.length, true);
  view.setUint32(central + 12, centralSize, true);
  view.setUint32(central + 16, localSize, true);
  return out;
}

/** The `.npz` bytes of several arrays (each stored as `<name>.npy`). */
export function npzBytes(arrays: readonly NpyArray[]): Uint8Array {
  if (arrays.length > 0xffff) throw new RangeError(`npz: at most 65535 arrays, got ${arrays.length}`);
  return zipStore(arrays.map((a) => ({ name: `${a.name}.npy`, data: npyBytes(a.shape, a.data) })));
}
