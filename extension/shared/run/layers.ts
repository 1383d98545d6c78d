/**
 * Which layers a dissection takes by default (depends on nothing: the host's layer picker uses it too):
 * the feature tensors of the generator's blocks, for the layouts people train.
 *   - ProGAN, DCGAN (`layer1` … `layerN` at the top level): the top-level modules, as before;
 *   - StyleGAN2 (`synthesis.b4` … `synthesis.b256`) and BigGAN (`blocks.0` … `blocks.K`): the blocks, each
 *     by its feature tensor. A StyleGAN2 block's own output is its RGB skip image, so a block whose
 *     output has 3 or 4 channels stands for its last sub-module with more (`synthesis.b16.conv1`).
 * A single top-level container (`synthesis`, `blocks`) is passed over for its blocks.
 */

type Layer = { name: string; tensor: string; shape: [number, number, number]; aliases?: string[] };

/** More channels than an RGB(A) image: a featuremap. */
const isFeatures = (l: Layer) => l.shape[0] > 4;

/** The module path above `name` ('' for a top-level module). */
const parentOf = (name: string) => (name.includes('.') ? name.slice(0, name.lastIndexOf('.')) : '');

/** The least number of top-level modules that make a generator's layer list (ProGAN's layer1…). */
const MIN_BLOCKS = 3;
/** The least number of sibling blocks under one module that make a block list (StyleGAN2's b4, b8). */
const MIN_FAMILY = 2;

export function defaultLayers<L extends Layer>(all: L[]): L[] {
  const modules = all.filter((l) => l.name !== l.tensor);
  const top = modules.filter((l) => !l.name.includes('.'));
  if (top.filter(isFeatures).length >= MIN_BLOCKS || top.length >= MIN_BLOCKS) return top;
  // Every module path, aliases included (a StyleGAN2 block's output is also the synthesis network's: `synthesis` = `synthesis.b8`).
  const paths = modules.flatMap((l) => [l.name, ...(l.aliases ?? [])].map((p) => ({ path: p, layer: l })));
  const families = new Map<string, { path: string; layer: L }[]>();
  for (const x of paths) {
    const p = parentOf(x.path);
    if (!families.has(p)) families.set(p, []);
    families.get(p)!.push(x);
  }
  const featureOf = (block: { path: string; layer: L }): L | undefined =>
    isFeatures(block.layer) ? block.layer : paths.filter((x) => x.path.startsWith(block.path + '.') && isFeatures(x.layer)).pop()?.layer;
  let best: L[] = [];
  for (const [parent, members] of families) {
    if (parent === '' || parent.split('.').length > 2) continue;
    const features = [...new Set(members.map(featureOf).filter((x): x is L => !!x))];
    if (features.length > best.length) best = features;
  }
  if (best.length >= MIN_FAMILY) return best;
  return top.length > 0 ? top : all;
}
