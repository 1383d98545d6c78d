/**
 * The insertion choices of the causal panel (extension/shared/webview/causal.ts InsertionChoice) in words, and
 * why an insertion can lower a concept (a negative "added"), which depends on how it combines with r.
 */
import type { InsertionChoice } from '../../extension/shared/webview/causal';

export const INSERTIONS: readonly { value: InsertionChoice; label: string; title: string }[] = [
  {
    value: 'high',
    label: 'max(r, k), k high (default)',
    title: "k = the larger of the unit's 0.99 quantile and its mean where the concept is; inserted as max(r, k): no unit is lowered",
  },
  { value: 'concept', label: 'max(r, k), k = mean on concept', title: "k = the unit's mean activation where the concept is; inserted as max(r, k)" },
  {
    value: 'quantile',
    label: 'max(r, k), k = 0.99 quantile',
    title: "k = the unit's 0.99 quantile (the later toolkit's painter); inserted as max(r, k)",
  },
  {
    value: 'paper',
    label: "r′ = k (the paper's §3.2)",
    title: "k = the unit's mean activation where the concept is, replacing r (r′ = k): units above k are lowered",
  },
];

export const insertionLabel = (i: InsertionChoice): string => INSERTIONS.find((x) => x.value === i)?.label ?? i;

/** Why inserting the units lowered `concept`, for the insertion used (unknown: both reasons). */
export function negativeAddedReason(concept: string, insertion: InsertionChoice | undefined): string {
  const lowered = `The insertion replaced r by the constant k (r′ = k): units that were already above k were lowered — often where ${concept} was — and ${concept}'s pixels went with them.`;
  const replaced = `The insertion took max(r, k), so no unit was lowered: ${concept}'s pixels were replaced — the inserted units draw something else over pixels that were ${concept}.`;
  if (insertion === 'paper') return lowered;
  if (insertion) return replaced;
  return `This result does not record its insertion. Inserted as r′ = k (the paper's), units already above k were lowered; inserted as max(r, k) (the default), no unit was lowered and ${concept}'s pixels were replaced by something else the units draw.`;
}
