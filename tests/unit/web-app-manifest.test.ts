/** The web app manifest: the fields an install needs, and icons that exist under public/ at the sizes they claim. */
import { readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { mimeType } from '../../scripts/serve.mjs';
import { WEB_APP_MANIFEST } from '../../scripts/web-app-manifest.mjs';

const PUBLIC = fileURLToPath(new URL('../../public/', import.meta.url));

/** Width, height and colour type of a PNG file, read from its IHDR chunk; throws when the bytes are not a PNG. */
function pngHeader(bytes: Buffer): { width: number; height: number; colourType: number } {
  const signature = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
  if (signature.some((b, i) => bytes[i] !== b) || bytes.toString('ascii', 12, 16) !== 'IHDR') throw new Error('not a PNG');
  return { width: bytes.readUInt32BE(16), height: bytes.readUInt32BE(20), colourType: bytes[25]! };
}

describe('web app manifest', () => {
  it('has the fields an install needs', () => {
    const m = WEB_APP_MANIFEST;
    expect(m.name).toBe('Backprop Lab');
    expect(m.short_name.length).toBeGreaterThan(0);
    expect(m.short_name.length).toBeLessThanOrEqual(12);
    expect(m.start_url).toBe('/');
    expect(m.start_url.startsWith(m.scope)).toBe(true);
    expect(['standalone', 'fullscreen', 'minimal-ui']).toContain(m.display);
    expect(m.theme_color).toMatch(/^#[0-9a-f]{6}$/i);
    expect(m.background_color).toMatch(/^#[0-9a-f]{6}$/i);
  });

  it('lists a 192 px and a 512 px PNG icon for any purpose, each an existing file of that size', () => {
    const anySizes = WEB_APP_MANIFEST.icons.filter((i) => i.purpose === 'any').map((i) => i.sizes);
    expect(anySizes).toEqual(expect.arrayContaining(['192x192', '512x512']));
    for (const icon of WEB_APP_MANIFEST.icons) {
      const file = join(PUBLIC, icon.src);
      expect(existsSync(file), `${icon.src} under public/`).toBe(true);
      expect(icon.type).toBe('image/png');
      expect(mimeType(file)).toBe('image/png');
      const { width, height, colourType } = pngHeader(readFileSync(file));
      expect(`${width}x${height}`).toBe(icon.sizes);
      expect(colourType).toBe(2); // RGB, opaque: a maskable icon fills its square
    }
  });

  it('is served with the manifest content type', () => {
    expect(mimeType('/manifest.webmanifest')).toBe('application/manifest+json');
  });
});
