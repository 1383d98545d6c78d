/**
 * The segmenter's label space: one label per channel of each output (outputs concatenated in order),
 * each with a category; label 0 (and any named "-") is "unlabeled" and never assigned to a unit. Optional
 * quad parts add c-t, c-b, c-l, c-r for a concept c (halves of each connected component's bounding box).
 */
import { DissectError } from '../../shared/errors';

export interface Label {
  name: string;
  /** object | part | material | colour | …; "-" for unlabeled. */
  category: string;
}

export interface QuadSpec {
  concept: number;
  t: number;
  b: number;
  l: number;
  r: number;
}

export interface LabelSpace {
  labels: Label[];
  /** Distinct categories of the assignable labels, in first-seen order. */
  categories: string[];
  /** Category index of each label; -1 for unlabeled. */
  categoryOf: Int32Array;
  /** Number of segmenter channels (labels before the quad parts). */
  channels: number;
  quad: QuadSpec[];
}

export function parseLabels(json: unknown, file: string): Label[] {
  if (!Array.isArray(json) || json.length < 2) {
    throw new DissectError('bad-labels', `${file}: labels must be a JSON array with entry 0 = unlabeled and at least one concept`);
  }
  return json.map((e, i) => {
    if (typeof e === 'string') return { name: e, category: i === 0 || e === '-' || e === '' ? '-' : 'object' };
    if (e && typeof e === 'object' && typeof (e as { name?: unknown }).name === 'string') {
      const name = (e as { name: string }).name;
      const cat = (e as { category?: unknown }).category;
      return { name, category: i === 0 || name === '-' || name === '' ? '-' : typeof cat === 'string' ? cat : 'object' };
    }
    throw new DissectError('bad-labels', `${file}: entry ${i} must be a string or {"name", "category"}`);
  });
}

export function isUnlabeled(l: Label): boolean {
  return l.category === '-';
}

/** Builds the label space; `quad` names the concepts to split into quad parts (or "all" objects). */
export function labelSpace(labels: Label[], quad: string[] | 'all' = []): LabelSpace {
  const all = labels.map((l) => ({ ...l }));
  const quadSpecs: QuadSpec[] = [];
  const wanted = quad === 'all' ? labels.filter((l) => l.category === 'object').map((l) => l.name) : quad;
  for (const name of wanted) {
    const concept = labels.findIndex((l) => l.name === name && !isUnlabeled(l));
    if (concept < 0) throw new DissectError('bad-labels', `quad parts: no concept named "${name}" in the labels`);
    const base = all.length;
    for (const s of ['t', 'b', 'l', 'r']) all.push({ name: `${name}-${s}`, category: 'part' });
    quadSpecs.push({ concept, t: base, b: base + 1, l: base + 2, r: base + 3 });
  }
  const categories: string[] = [];
  const categoryOf = new Int32Array(all.length).fill(-1);
  all.forEach((l, i) => {
    if (isUnlabeled(l)) return;
    let c = categories.indexOf(l.category);
    if (c < 0) c = categories.push(l.category) - 1;
    categoryOf[i] = c;
  });
  if (all.length > 65535) throw new DissectError('bad-labels', 'more than 65535 labels');
  return { labels: all, categories, categoryOf, channels: labels.length, quad: quadSpecs };
}
