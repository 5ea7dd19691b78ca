/** The page theme in a link: `theme=projector` read and written through the URL codec, bad values named. */
import { describe, expect, it } from 'vitest';
import { decodeLab, decodeTheme, encodeLab, encodeTheme } from '../../src/core/url-codec.js';

describe('theme in the URL', () => {
  it('reads projector, defaults to auto, and names a bad value with what is allowed', () => {
    expect(decodeTheme(new URLSearchParams('theme=projector'))).toEqual({ value: 'projector', issues: [] });
    expect(decodeTheme(new URLSearchParams('depth=3'))).toEqual({ value: 'auto', issues: [] });
    expect(decodeTheme(new URLSearchParams('theme=neon'))).toEqual({ value: 'auto', issues: [{ field: 'theme', value: 'neon', allowed: 'one of auto, projector' }] });
  });

  it('is a known key of a lab link (no "unknown parameter" notice) and survives a round trip beside the lab', () => {
    expect(decodeLab(new URLSearchParams('theme=projector&depth=3')).issues).toEqual([]);
    expect(decodeLab(new URLSearchParams('theme=neon')).issues.map((i) => i.field)).toEqual(['theme']);
    const lab = decodeLab(new URLSearchParams('depth=3')).value;
    const url = encodeTheme('projector', encodeLab(lab));
    expect(decodeTheme(url).value).toBe('projector');
    expect(decodeLab(url).value).toEqual(lab);
    expect(encodeTheme('auto', encodeLab(lab)).has('theme')).toBe(false);
  });
});
