// Parameter update (SGD) over many tensors in one dispatch.
//
//   for each table entry (p_offset, g_offset, size, lr bits): params[p_offset + i] −= lr · grads[g_offset + i],
//   i < size; one entry per (tensor, batch entry) so that every model has its own learning rate.
//   Entry = wg.y + wg.z·num_workgroups.y; the workgroups along x stride over the entry's elements.
//
// Bindings (group 0):
//   0 params : parameters' storage (updated in place)
//   1 grads  : gradients' storage
//   2 table  : vec4(p_offset, g_offset, size, bitcast<u32>(lr)) per entry
//   3 up     : UpdateParams

struct UpdateParams {
  entries: u32,
  pad0: u32,
  pad1: u32,
  pad2: u32,
}

override WG: u32 = 64u;

@group(0) @binding(0) var<storage, read_write> params: array<f32>;
@group(0) @binding(1) var<storage, read_write> grads: array<f32>;
@group(0) @binding(2) var<storage, read> table: array<vec4<u32>>;
@group(0) @binding(3) var<uniform> up: UpdateParams;

@compute @workgroup_size(WG)
fn sgd(@builtin(workgroup_id) wg: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>,
       @builtin(local_invocation_id) lid: vec3<u32>) {
  let entry = wg.y + wg.z * groups.y;
  if (entry >= up.entries) { return; }
  let t = table[entry];
  let lr = bitcast<f32>(t.w);
  for (var i = wg.x * WG + lid.x; i < t.z; i += groups.x * WG) {
    params[t.x + i] -= lr * grads[t.y + i];
  }
}
