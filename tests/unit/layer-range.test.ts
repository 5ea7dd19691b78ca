// The per-layer activation control's arithmetic (src/ui/lab/layer-range.ts): the text it sends and the ranges it refuses.
import { describe, expect, it } from 'vitest';
import { parseActivationList } from '../../src/core/spec.js';
import { layerRangeIssue, setLayerRange } from '../../src/ui/lab/layer-range.js';

describe('setLayerRange', () => {
  it('puts one sigmoid layer into a ReLU stack, and edits an existing per-layer list', () => {
    expect(setLayerRange({ activation: 'relu' }, 20, 10, 10, 'sigmoid')).toBe('relu×9,sigmoid,relu×10');
    const list = parseActivationList('sigmoid×10,relu×10', 20)!;
    expect(setLayerRange({ activation: 'sigmoid', activations: list }, 20, 5, 15, 'gelu')).toBe('sigmoid×4,gelu×11,relu×5');
    expect(setLayerRange({ activation: 'sigmoid', activations: list }, 20, 1, 20, 'elu')).toBe('elu');
  });

  it('ignores a stale list of another depth (the run is uniform again)', () => {
    expect(setLayerRange({ activation: 'tanh', activations: parseActivationList('relu×3,tanh', 4)! }, 6, 6, 6, 'relu')).toBe('tanh×5,relu');
  });
});

describe('layerRangeIssue', () => {
  it('accepts whole ranges within 1…depth', () => {
    expect(layerRangeIssue('1', '20', 20)).toBeNull();
    expect(layerRangeIssue('7', '7', 20)).toBeNull();
  });

  it.each([
    ['12', '5'],
    ['0', '3'],
    ['3', '21'],
    ['2.5', '4'],
    ['', '4'],
    ['x', '4'],
  ])('refuses %s–%s naming the field, the value and what is allowed', (from, to) => {
    expect(layerRangeIssue(from, to, 20)).toBe(`layers: "${from}–${to}" is not allowed; expected two whole layer numbers from 1 to 20, the first at most the second`);
  });
});
