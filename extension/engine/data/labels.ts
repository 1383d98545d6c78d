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

/** Names that mean "no label" in entry 0 (anything else there is probably a real concept, shifted). */
const UNLABELED_NAMES = ['-', '', 'unlabeled', 'unlabelled', 'background', 'none', 'void', 'ignore', 'other'];

/**
 * A labels file's text as labels: a JSON array (entry 0 = unlabeled), or the common {"labels": [...]}
 * object; a UTF-8 byte-order mark is accepted. `warnings` collects what is suspicious but usable.
 */
export function parseLabelsText(text: string, file: string, warnings: string[] = []): Label[] {
  let json: unknown;
  try {
    json = JSON.parse(text.replace(/^\uFEFF/, ''));
  } catch (e) {
    throw new DissectError('bad-labels', `${file} is not valid JSON: ${(e as Error).message}`);
  }
  if (json && typeof json === 'object' && !Array.isArray(json) && Array.isArray((json as { labels?: unknown }).labels))
    json = (json as { labels: unknown }).labels;
  return parseLabels(json, file, warnings);
}

export function parseLabels(json: unknown, file: string, warnings: string[] = []): Label[] {
  if (!Array.isArray(json) || json.length < 2) {
    throw new DissectError(
      'bad-labels',
      `${file}: labels must be a JSON array (or {"labels": [...]}) with entry 0 = unlabeled and at least one concept`,
    );
  }
  const labels = json.map((e, i): Label => {
    let name: string;
    let cat: unknown;
    if (typeof e === 'string') name = e;
    else if (e && typeof e === 'object' && typeof (e as { name?: unknown }).name === 'string') {
      name = (e as { name: string }).name;
      cat = (e as { category?: unknown }).category;
    } else throw new DissectError('bad-labels', `${file}: entry ${i} must be a string or {"name", "category"}`);
    // Control characters (terminal escape sequences among them) would be printed raw by the CLI.
    // eslint-disable-next-line no-control-regex
    if (/[\u0000-\u001f\u007f-\u009f]/.test(name))
      throw new DissectError('bad-labels', `${file}: entry ${i} (${JSON.stringify(name)}) holds control characters`);
    const unlabeled = i === 0 || name === '-';
    if (!unlabeled && name.trim() === '')
      throw new DissectError('bad-labels', `${file}: entry ${i} has an empty name (use "-" for a channel with no label)`);
    return { name, category: unlabeled ? '-' : typeof cat === 'string' && cat !== '' ? cat : 'object' };
  });
  const first = new Map<string, number>();
  labels.forEach((l, i) => {
    if (isUnlabeled(l)) return;
    const j = first.get(l.name);
    if (j !== undefined)
      throw new DissectError('bad-labels', `${file}: entries ${j} and ${i} are both named "${l.name}"; label names must be distinct`);
    first.set(l.name, i);
  });
  if (!UNLABELED_NAMES.includes(labels[0].name.trim().toLowerCase())) {
    warnings.push(
      `${file}: entry 0 is "${labels[0].name}", but entry 0 is the unlabeled class and is never assigned to a unit; if "${labels[0].name}" is a real concept, put "-" first`,
    );
  }
  return labels;
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
