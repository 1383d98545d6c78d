/**
 * Which layers a dissection takes by default (depends on nothing: the host's layer picker uses it too):
 * the feature tensors of the generator's blocks, for the layouts people train.
 *   - ProGAN, DCGAN (`layer1` … `layerN` at the top level): the top-level modules, as before;
 *   - StyleGAN2 (`synthesis.b4` … `synthesis.b256`) and BigGAN (`blocks.0` … `blocks.K`): the blocks, each
 *     by its feature tensor. A StyleGAN2 block's own output is its RGB skip image, so a block whose
 *     output has 3 or 4 channels stands for its last sub-module with more (`synthesis.b16.conv1`).
 * A single top-level container (`synthesis`, `blocks`) is passed over for its blocks.
 */

type Layer = { name: string; tensor: string; shape: [number, number, number] };

/** More channels than an RGB(A) image: a featuremap. */
const isFeatures = (l: Layer) => l.shape[0] > 4;

/** The module path above `name` ('' for a top-level module). */
const parentOf = (name: string) => (name.includes('.') ? name.slice(0, name.lastIndexOf('.')) : '');

/** The least number of sibling blocks that make a generator's block list. */
const MIN_BLOCKS = 3;

export function defaultLayers<L extends Layer>(all: L[]): L[] {
  const modules = all.filter((l) => l.name !== l.tensor);
  const top = modules.filter((l) => !l.name.includes('.'));
  // Families of sibling modules, and how many of them (or a sub-module of them) give features.
  const families = new Map<string, L[]>();
  for (const l of modules) {
    const p = parentOf(l.name);
    if (!families.has(p)) families.set(p, []);
    families.get(p)!.push(l);
  }
  const featureOf = (block: L): L | undefined =>
    isFeatures(block) ? block : modules.filter((x) => x.name.startsWith(block.name + '.') && isFeatures(x)).pop();
  if (top.filter(isFeatures).length >= MIN_BLOCKS || top.length >= MIN_BLOCKS) return top;
  let best: L[] = [];
  for (const [parent, members] of families) {
    if (parent === '' || parent.split('.').length > 2) continue;
    const features = members.map(featureOf).filter((x): x is L => !!x);
    if (features.length > best.length) best = features;
  }
  if (best.length >= MIN_BLOCKS) return [...new Set(best)];
  return top.length > 0 ? top : all;
}
