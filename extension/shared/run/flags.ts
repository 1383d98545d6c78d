/** Artifact flags: how the automatic flags agree with the manual ones (the paper's Fig. 12). */

/**
 * How the automatic flags agree with the manual ones (the paper's Fig. 12): the share of automatic flags
 * the user also flagged (precision) and of manual flags found automatically (recall); undefined unless both exist.
 */
export function flagAgreement(auto: readonly number[], manual: readonly number[]): { precision: number; recall: number; both: number } | undefined {
  if (auto.length === 0 || manual.length === 0) return undefined;
  const m = new Set(manual);
  const a = new Set(auto);
  const both = [...a].filter((u) => m.has(u)).length;
  return { precision: both / a.size, recall: both / m.size, both };
}
