/**
 * Per-call-site caches of uniform buffers, auxiliary storage buffers (indices, tables) and bind groups.
 * A call site (kernel + tensors + options) that repeats every training step creates GPU objects only the
 * first time. Within one flush a site can run several times with different parameters: each use takes its
 * own slot, because queue.writeBuffer lands before the whole command buffer runs.
 */

/** Builds the bind group of one slot from its uniform and (optional) auxiliary buffer. */
export type BindGroupFactory = (uniform: GPUBuffer, aux: GPUBuffer | null) => GPUBindGroup;

interface Slot {
  uniform: GPUBuffer;
  uniformData: Uint32Array<ArrayBuffer> | null;
  aux: GPUBuffer | null;
  auxData: Uint32Array<ArrayBuffer> | null;
  bindGroup: GPUBindGroup;
}

interface Site {
  slots: Slot[];
  used: number;
  epoch: number;
  tensorIds: readonly number[];
}

function same(a: Uint32Array<ArrayBuffer> | null, b: Uint32Array<ArrayBuffer> | null, bLength: number): boolean {
  if (a === null || b === null) return a === b;
  if (a.length !== bLength) return false;
  for (let i = 0; i < bLength; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** The uniform/aux/bind-group slots of every call site, evicted when one of their tensors is disposed. */
export class CallSites {
  private readonly sites = new Map<string, Site>();
  private readonly byTensor = new Map<number, Set<string>>();

  constructor(
    private readonly device: GPUDevice,
    private readonly epoch: () => number,
  ) {}

  /**
   * The bind group for this use of call site `key`, with `uniform` (and `aux`, first `auxLength` words)
   * written to its buffers when they differ from what the slot holds.
   */
  bind(
    key: string,
    tensorIds: readonly number[],
    uniform: Uint32Array<ArrayBuffer>,
    aux: Uint32Array<ArrayBuffer> | null,
    auxLength: number,
    factory: BindGroupFactory,
  ): GPUBindGroup {
    const site = this.site(key, tensorIds);
    const epoch = this.epoch();
    if (site.epoch !== epoch) {
      site.epoch = epoch;
      site.used = 0;
    }
    const last = site.used > 0 ? site.slots[site.used - 1]! : null;
    if (last && same(last.uniformData, uniform, uniform.length) && same(last.auxData, aux, auxLength)) {
      return last.bindGroup;
    }
    let slot = site.slots[site.used];
    if (slot && aux && (!slot.aux || slot.aux.size < auxLength * 4)) {
      this.destroySlot(slot);
      slot = undefined;
    }
    if (!slot) {
      slot = this.createSlot(uniform.length, aux ? auxLength : null, factory);
      site.slots[site.used] = slot;
    }
    site.used++;
    if (!same(slot.uniformData, uniform, uniform.length)) {
      this.device.queue.writeBuffer(slot.uniform, 0, uniform);
      slot.uniformData = uniform.slice();
    }
    if (aux && slot.aux && !same(slot.auxData, aux, auxLength)) {
      this.device.queue.writeBuffer(slot.aux, 0, aux, 0, auxLength);
      slot.auxData = aux.slice(0, auxLength);
    }
    return slot.bindGroup;
  }

  /** Number of slots held (for tests of loop hygiene). */
  get slotCount(): number {
    let n = 0;
    for (const s of this.sites.values()) n += s.slots.length;
    return n;
  }

  /** Drop every site that binds tensor `id`. */
  evictTensor(id: number): void {
    const keys = this.byTensor.get(id);
    if (!keys) return;
    this.byTensor.delete(id);
    for (const key of keys) {
      const site = this.sites.get(key);
      if (!site) continue;
      site.slots.forEach((s) => this.destroySlot(s));
      this.sites.delete(key);
      for (const other of site.tensorIds) this.byTensor.get(other)?.delete(key);
    }
  }

  /** Destroy every buffer held. */
  destroy(): void {
    for (const site of this.sites.values()) site.slots.forEach((s) => this.destroySlot(s));
    this.sites.clear();
    this.byTensor.clear();
  }

  private site(key: string, tensorIds: readonly number[]): Site {
    let site = this.sites.get(key);
    if (!site) {
      site = { slots: [], used: 0, epoch: -1, tensorIds: [...tensorIds] };
      this.sites.set(key, site);
      for (const id of tensorIds) {
        let keys = this.byTensor.get(id);
        if (!keys) this.byTensor.set(id, (keys = new Set()));
        keys.add(key);
      }
    }
    return site;
  }

  private createSlot(uniformWords: number, auxWords: number | null, factory: BindGroupFactory): Slot {
    const uniform = this.device.createBuffer({
      size: Math.max(16, Math.ceil(uniformWords / 4) * 16),
      usage: GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST,
    });
    const aux =
      auxWords === null
        ? null
        : this.device.createBuffer({
            size: Math.max(16, 2 ** Math.ceil(Math.log2(Math.max(auxWords, 1) * 4))),
            usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_DST,
          });
    return { uniform, uniformData: null, aux, auxData: null, bindGroup: factory(uniform, aux) };
  }

  private destroySlot(s: Slot): void {
    s.uniform.destroy();
    s.aux?.destroy();
  }
}
