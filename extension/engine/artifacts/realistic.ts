/**
 * Realistic units only (the paper's S-6.3, Fig. 16): the dissection's summary counted again without the
 * units whose realism score is worse than a threshold, so that concepts a unit "detects" only on distorted
 * images drop out. By default the threshold leaves out the automatically flagged units.
 */
import type { LayerResult, RealisticSummary } from '../../shared/run/schema';

export function realisticSummary(layer: LayerResult, distances: ArrayLike<number>, flagged: readonly number[], below?: number): RealisticSummary {
  const flaggedSet = new Set(flagged);
  const unflagged = layer.units.filter((u) => !flaggedSet.has(u.unit)).map((u) => distances[u.unit]);
  const threshold = below ?? Math.max(...unflagged.filter((d) => Number.isFinite(d)), 0);
  const rule = below !== undefined ? `units with a distance above ${below} left out` : `the ${flagged.length} automatically flagged units left out`;
  const realistic = (unit: number) => (below !== undefined ? distances[unit] <= below : !flaggedSet.has(unit));
  const counts = new Map<string, { name: string; category: string; all: number; realistic: number }>();
  for (const u of layer.units) {
    if (!u.interpretable) continue;
    const c = counts.get(u.label) ?? counts.set(u.label, { name: u.label, category: u.category, all: 0, realistic: 0 }).get(u.label)!;
    c.all++;
    if (realistic(u.unit)) c.realistic++;
  }
  return {
    threshold,
    rule,
    kept: layer.units.filter((u) => realistic(u.unit)).length,
    total: layer.units.length,
    concepts: [...counts.values()].sort((a, b) => b.all - a.all || b.realistic - a.realistic || a.name.localeCompare(b.name)),
  };
}
