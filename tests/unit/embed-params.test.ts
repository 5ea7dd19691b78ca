/** `<backprop-lab>` attributes → the lab's URL parameters: the same keys, the same decoding, the same named errors. */
import { describe, expect, it } from 'vitest';
import { decodeAutoplay, decodeLab, decodeTheme } from '../../src/core/url-codec.js';
import { attributesToParams } from '../../src/ui/embed/embed-params.js';

const attrs = (o: Record<string, string>) => Object.entries(o).map(([name, value]) => ({ name, value }));

describe('attributesToParams', () => {
  it('reads the README example as the same link would be read', () => {
    const params = attributesToParams(attrs({ depth: '20', act: 'sigmoid,relu', init: 'xavier,he', autoplay: '1', theme: 'projector' }));
    const link = new URLSearchParams('depth=20&act=sigmoid,relu&init=xavier,he&autoplay=1&theme=projector');
    expect(params.toString()).toBe(link.toString());
    const lab = decodeLab(params);
    expect(lab.issues).toEqual([]);
    expect(lab.value.depth).toBe(20);
    expect(lab.value.runs.map((r) => [r.activation, r.init])).toEqual([['sigmoid', 'xavier'], ['relu', 'he']]);
    expect(decodeAutoplay(params).value).toBe(true);
    expect(decodeTheme(params).value).toBe('projector');
  });

  it('maps lower-cased attribute names to camel-case keys, and a bare autoplay to autoplay=1', () => {
    const params = attributesToParams(attrs({ initseed: '7', logevery: '5', autoplay: '' }));
    expect(params.toString()).toBe('initSeed=7&logEvery=5&autoplay=1');
    expect(decodeLab(params).value.initSeed).toBe(7);
  });

  it("skips HTML's own attributes and passes unknown ones on, so a typo is named, not ignored", () => {
    const params = attributesToParams(attrs({ id: 'a', class: 'b', style: 'c', 'aria-label': 'd', 'data-x': 'e', tabindex: '0', dept: '5', depth: '-3' }));
    expect([...params.keys()]).toEqual(['dept', 'depth']);
    const fields = decodeLab(params).issues.map((i) => i.field);
    expect(fields).toContain('dept');
    expect(fields).toContain('depth');
  });
});
