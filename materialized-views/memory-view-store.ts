// The in-process view store (embedded demo, unit tests): the same rules as redis-view-store.lua, in Maps. One
// JavaScript turn applies a whole batch, so it is atomic like the script. view-store-contract.ts holds both stores to
// the same behaviour.
import type { RowOp } from './project-change.ts';
import type { ViewDefinition } from './view-definition.ts';
import { type TouchedView, type ViewStore, type Watermark } from './view-store.ts';

interface RootRow {
  pos: string | undefined;
  rec: string | undefined;
  ver: number;
  links: Map<string, string>;
  sources: Map<string, number>;
}

interface PartRow {
  pos: string | undefined;
  rec: string | undefined;
  lv: string | undefined;
  /** child name → child id → record; positions kept apart so a deleted child's position still guards it. */
  children: Map<string, Map<string, string>>;
  childPos: Map<string, string>;
}

interface TenantState {
  roots: Map<string, RootRow>;
  linkIndex: Map<string, Set<string>>; // "<link>:<value>" → root ids
  parts: Map<string, PartRow>; // "<part>:<id>"
  groups: Map<string, Set<string>>; // "<part>:<value>" → part row ids
  views: Map<string, string>;
  watermarks: Map<string, Watermark>;
}

const newer = (stored: string | undefined, pos: string) => pos === '' || stored === undefined || stored < pos;

/** A newer version with the same content moves the position only (no recomposition, no changefeed). */
const same = (stored: string | undefined, op: RowOp) => op.keep.length === 0 && (op.record === null ? stored === undefined : stored === op.record);

function merged(stored: string | undefined, record: string, keep: readonly string[]): string {
  if (keep.length === 0 || stored === undefined) return record;
  const old = JSON.parse(stored) as Record<string, unknown>;
  const next = JSON.parse(record) as Record<string, unknown>;
  for (const f of keep) next[f] = old[f];
  return JSON.stringify(next);
}

const setOf = <K>(map: Map<K, Set<string>>, key: K) => {
  let s = map.get(key);
  if (s === undefined) {
    s = new Set();
    map.set(key, s);
  }
  return s;
};

const byKey = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

export function createMemoryViewStore(definition: ViewDefinition): ViewStore {
  const tenants = new Map<string, TenantState>();
  const stateOf = (tenant: string): TenantState => {
    let s = tenants.get(tenant);
    if (s === undefined) {
      s = { roots: new Map(), linkIndex: new Map(), parts: new Map(), groups: new Map(), views: new Map(), watermarks: new Map() };
      tenants.set(tenant, s);
    }
    return s;
  };
  const partSpec = new Map(definition.parts.map((p) => [p.name, p]));

  function applySync(tenant: string, ops: readonly RowOp[]): TouchedView[] {
    const st = stateOf(tenant);
    const touched = new Map<string, number[]>();
    let current = 0;
    const touch = (id: string, source: string, ts: number | null) => {
      const by = touched.get(id) ?? [];
      if (by.at(-1) !== current) by.push(current);
      touched.set(id, by);
      if (ts === null) return;
      const root = st.roots.get(id);
      if (root === undefined) return;
      const cur = root.sources.get(source);
      if (cur === undefined || cur < ts) root.sources.set(source, ts);
    };
    const rootsOf = (link: string, value: string | undefined, source: string, ts: number | null) => {
      if (value === undefined || value === '') return;
      for (const id of st.linkIndex.get(`${link}:${value}`) ?? []) touch(id, source, ts);
    };
    const partRow = (key: string): PartRow => {
      let row = st.parts.get(key);
      if (row === undefined) {
        row = { pos: undefined, rec: undefined, lv: undefined, children: new Map(), childPos: new Map() };
        st.parts.set(key, row);
      }
      return row;
    };

    for (const [index, op] of ops.entries()) {
      current = index;
      if (op.target === 'root') {
        let root = st.roots.get(op.id);
        if (root === undefined) {
          root = { pos: undefined, rec: undefined, ver: 0, links: new Map(), sources: new Map() };
          st.roots.set(op.id, root);
        }
        if (!newer(root.pos, op.pos)) continue;
        if (same(root.rec, op)) {
          root.pos = op.pos;
          continue;
        }
        const links = op.record === null ? {} : op.links;
        root.rec = op.record === null ? undefined : merged(root.rec, op.record, op.keep);
        root.pos = op.pos;
        for (const name of new Set([...root.links.keys(), ...Object.keys(links)])) {
          const old = root.links.get(name);
          const next = links[name] ?? undefined;
          if (old === next) continue;
          if (old !== undefined) st.linkIndex.get(`${name}:${old}`)?.delete(op.id);
          if (next !== undefined) {
            setOf(st.linkIndex, `${name}:${next}`).add(op.id);
            root.links.set(name, next);
          } else root.links.delete(name);
        }
        touch(op.id, op.source, op.tsMs);
      } else if (op.target === 'part') {
        const spec = partSpec.get(op.part);
        if (spec === undefined) throw new TypeError(`view ${definition.name}: no part ${op.part}`);
        const row = partRow(`${op.part}:${op.id}`);
        if (!newer(row.pos, op.pos)) continue;
        if (same(row.rec, op)) {
          row.pos = op.pos;
          continue;
        }
        const oldLv = row.lv;
        const newLv = op.record === null || op.link === null || op.link === '' ? undefined : op.link;
        row.rec = op.record === null ? undefined : merged(row.rec, op.record, op.keep);
        row.pos = op.pos;
        if (oldLv !== newLv) {
          if (oldLv !== undefined) st.groups.get(`${op.part}:${oldLv}`)?.delete(op.id);
          if (newLv !== undefined) setOf(st.groups, `${op.part}:${newLv}`).add(op.id);
          row.lv = newLv;
        }
        rootsOf(spec.link, oldLv, op.source, op.tsMs);
        rootsOf(spec.link, newLv, op.source, op.tsMs);
      } else {
        const spec = partSpec.get(op.part);
        if (spec === undefined) throw new TypeError(`view ${definition.name}: no part ${op.part}`);
        const row = partRow(`${op.part}:${op.parentId}`);
        const posKey = `${op.child}:${op.id}`;
        if (!newer(row.childPos.get(posKey), op.pos)) continue;
        if ((op.fromParentId === null || op.fromParentId === op.parentId) && same(row.children.get(op.child)?.get(op.id), op)) {
          row.childPos.set(posKey, op.pos);
          continue;
        }
        if (op.fromParentId !== null && op.fromParentId !== op.parentId) {
          const from = partRow(`${op.part}:${op.fromParentId}`);
          from.children.get(op.child)?.delete(op.id);
          from.childPos.delete(posKey);
          rootsOf(spec.link, from.lv, op.source, op.tsMs);
        }
        let list = row.children.get(op.child);
        if (list === undefined) {
          list = new Map();
          row.children.set(op.child, list);
        }
        if (op.record === null) list.delete(op.id);
        else list.set(op.id, merged(list.get(op.id), op.record, op.keep));
        row.childPos.set(posKey, op.pos);
        rootsOf(spec.link, row.lv, op.source, op.tsMs);
      }
    }

    const out: TouchedView[] = [];
    for (const [id, by] of touched) {
      st.views.delete(id);
      const root = st.roots.get(id);
      if (root?.rec === undefined) {
        out.push({ id, version: root?.ver ?? 0, deleted: true, ops: by });
        continue;
      }
      root.ver++;
      out.push({ id, version: root.ver, deleted: false, ops: by });
    }
    return out;
  }

  /** The view's text, composed from the rows when it changed since it was last read (as redis-view-compose.lua). */
  function composed(tenant: string, id: string): string | null {
    const st = tenants.get(tenant);
    if (st === undefined) return null;
    const kept = st.views.get(id);
    if (kept !== undefined) return kept;
    const root = st.roots.get(id);
    if (root?.rec === undefined) return null;
    const parts = definition.parts.map((part) => {
      const lv = root.links.get(part.link);
      const ids = lv === undefined ? [] : [...(st.groups.get(`${part.name}:${lv}`) ?? [])].sort(byKey);
      const rows: string[] = [];
      for (const rowId of ids) {
        const row = st.parts.get(`${part.name}:${rowId}`);
        if (row?.rec === undefined) continue;
        if (part.children.length === 0) {
          rows.push(row.rec);
          continue;
        }
        const lists = part.children.map((child) => {
          const items = row.children.get(child.name) ?? new Map<string, string>();
          return `${JSON.stringify(child.name)}:[${[...items.keys()].sort(byKey).map((k) => items.get(k)).join(',')}]`;
        });
        const body = row.rec.slice(0, -1);
        rows.push(`${body}${body === '{' ? '' : ','}${lists.join(',')}}`);
      }
      return `${JSON.stringify(part.name)}:[${rows.join(',')}]`;
    });
    const sources = [...root.sources].sort(([a], [b]) => byKey(a, b)).map(([s, ts]) => `${JSON.stringify(s)}:${ts}`);
    const doc = `{"id":${JSON.stringify(id)},"version":${root.ver},"root":${root.rec},"parts":{${parts.join(',')}},"sources":{${sources.join(',')}}}`;
    st.views.set(id, doc);
    return doc;
  }

  return {
    definition,
    apply: async (tenant, ops) => applySync(tenant, ops),
    read: async (tenant, ids) => ids.map((id) => composed(tenant, id)),
    async advanceWatermark(tenant, source, mark) {
      const wm = stateOf(tenant).watermarks;
      const cur = wm.get(source);
      if (cur === undefined || cur.tsMs < mark.tsMs) wm.set(source, { tsMs: Math.trunc(mark.tsMs), appliedAtMs: Math.trunc(mark.appliedAtMs) });
    },
    watermarks: async (tenant) => Object.fromEntries(tenants.get(tenant)?.watermarks ?? []),
    async readWithWatermarks(tenant, ids) {
      return { docs: ids.map((id) => composed(tenant, id)), watermarks: Object.fromEntries(tenants.get(tenant)?.watermarks ?? []) };
    },
    async *ids(tenant) {
      const all = [...(tenants.get(tenant)?.roots ?? [])].filter(([, r]) => r.rec !== undefined).map(([id]) => id);
      for (let i = 0; i < all.length; i += 1000) yield all.slice(i, i + 1000);
    },
    async clear(tenant) {
      tenants.delete(tenant);
    },
    async close() {},
  };
}
