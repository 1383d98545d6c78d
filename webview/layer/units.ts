/** The layer panel's view model: its persisted state, and filtering/sorting of unit rows. */
import type { LayerPanelState, UnitRow } from '../../extension/shared/webview/layer';

export type SortColumn = LayerPanelState['sort']['column'];

export const SORT_COLUMNS: readonly SortColumn[] = ['unit', 'label', 'category', 'iou', 'iqr', 'threshold'];
export const TABS: readonly LayerPanelState['tab'][] = ['table', 'gallery', 'summary', 'compare'];

export const DEFAULT_STATE: LayerPanelState = {
  sort: { column: 'iou', descending: true },
  filter: '',
  interpretableOnly: false,
  tab: 'table',
};

/** The saved state if it is well-formed, field by field; defaults for whatever is missing or wrong. */
export function restoreState(saved: unknown): LayerPanelState {
  const s = (typeof saved === 'object' && saved !== null ? saved : {}) as Partial<Record<keyof LayerPanelState, unknown>>;
  const sort = (typeof s.sort === 'object' && s.sort !== null ? s.sort : {}) as { column?: unknown; descending?: unknown };
  return {
    sort: {
      column: SORT_COLUMNS.includes(sort.column as SortColumn) ? (sort.column as SortColumn) : DEFAULT_STATE.sort.column,
      descending: typeof sort.descending === 'boolean' ? sort.descending : DEFAULT_STATE.sort.descending,
    },
    filter: typeof s.filter === 'string' ? s.filter : DEFAULT_STATE.filter,
    interpretableOnly: typeof s.interpretableOnly === 'boolean' ? s.interpretableOnly : DEFAULT_STATE.interpretableOnly,
    tab: TABS.includes(s.tab as LayerPanelState['tab']) ? (s.tab as LayerPanelState['tab']) : DEFAULT_STATE.tab,
  };
}

/** Text columns sort A→Z first; numeric ones highest first. */
export function defaultDescending(column: SortColumn): boolean {
  return column === 'iou' || column === 'iqr' || column === 'threshold';
}

/** The units that pass the filter text (label or any concept, case-insensitive) and the interpretable switch. */
export function filterUnits(units: readonly UnitRow[], filter: string, interpretableOnly: boolean): UnitRow[] {
  const q = filter.trim().toLowerCase();
  return units.filter(
    (u) =>
      (!interpretableOnly || u.interpretable) &&
      (q === '' || u.label.toLowerCase().includes(q) || u.concepts.some((c) => c.label.toLowerCase().includes(q))),
  );
}

/** Sorted copy; ties broken by unit number (ascending) so the order is stable and total. */
export function sortUnits(units: readonly UnitRow[], sort: LayerPanelState['sort']): UnitRow[] {
  const { column, descending } = sort;
  const sign = descending ? -1 : 1;
  const cmp = (a: UnitRow, b: UnitRow): number => {
    const x = a[column];
    const y = b[column];
    const c = typeof x === 'string' && typeof y === 'string' ? x.localeCompare(y) : (x as number) - (y as number);
    return c !== 0 ? sign * c : a.unit - b.unit;
  };
  return [...units].sort(cmp);
}
