/** Which layers a dissection takes by default (depends on nothing: the host's layer picker uses it too). */

/** By default: the top-level modules (`layer1`, `layer2`, …), or every candidate layer if none. */
export function defaultLayers<L extends { name: string; tensor: string }>(all: L[]): L[] {
  const top = all.filter((l) => l.name !== l.tensor && !l.name.includes('.'));
  return top.length > 0 ? top : all;
}
