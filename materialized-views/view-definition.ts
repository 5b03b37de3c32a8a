// A declarative view definition: which change streams feed a view and how their rows join (STYLE.md 8: data, not
// code). A view has one ROOT table (the customer: one row per view), PARTS joined to the root through one of its
// LINK values (orders by the contact's customerNo, tickets by its helpdeskUserId), and CHILDREN of a part joined by
// the part's key (an order's items and payments). Records are projected column by column with `fields`, so the
// pipeline knows which record fields a column feeds (a TOASTed column Debezium could not read keeps its stored
// value field by field).

/** One column of a change event's row, and how to turn its value into a record field. */
export type FieldSpec =
  | string // the column's value as it is
  | { readonly column: string; readonly as: 'text' | 'int' | 'iso-time' | 'lower' };

export interface RecordSpec {
  /** Record field → column. `'*'` instead of a map: the row is the record (the poll capture already sends records). */
  readonly fields: Readonly<Record<string, FieldSpec>> | '*';
}

export interface RootSpec extends RecordSpec {
  /** The source's name (a connector name of the unified graph: crm). */
  readonly source: string;
  /** `schema.table` of the change events (crm.contacts). */
  readonly table: string;
  /** The column holding the view's id (the customer id). */
  readonly key: string;
  /** Link name → the column whose value parts join on (customerNo → "customerNo"). */
  readonly links: Readonly<Record<string, string>>;
}

export interface ChildSpec extends RecordSpec {
  /** Name of the list in the parent record (items). */
  readonly name: string;
  readonly table: string;
  /** Key columns of the child row (its id is their values joined with "|"). */
  readonly key: readonly string[];
  /** The column holding the parent part row's id (order_id). */
  readonly parentColumn: string;
}

export interface PartSpec extends RecordSpec {
  /** Name of the list in the view (orders). */
  readonly name: string;
  readonly source: string;
  readonly table: string;
  readonly key: readonly string[];
  /** The root link this part joins on (customerNo) and the part's column holding its value (customer_no). */
  readonly link: string;
  readonly linkColumn: string;
  readonly children: readonly ChildSpec[];
}

export interface ViewDefinition {
  /** Names the view in store keys, metrics and the changefeed (customer360). */
  readonly name: string;
  readonly root: RootSpec;
  readonly parts: readonly PartSpec[];
}

/** Every table the view reads, with what it is to the view. */
export type TableRole =
  | { readonly kind: 'root'; readonly spec: RootSpec; readonly source: string }
  | { readonly kind: 'part'; readonly spec: PartSpec; readonly source: string }
  | { readonly kind: 'child'; readonly spec: ChildSpec; readonly part: PartSpec; readonly source: string };

/** Checks a definition once (names unique, links known) and indexes its tables. Throws TypeError naming the problem. */
export function indexTables(def: ViewDefinition): ReadonlyMap<string, TableRole> {
  const tables = new Map<string, TableRole>();
  const add = (table: string, role: TableRole) => {
    if (tables.has(table)) throw new TypeError(`view ${def.name}: table ${table} appears twice; a table feeds one place of a view`);
    tables.set(table, role);
  };
  add(def.root.table, { kind: 'root', spec: def.root, source: def.root.source });
  const names = new Set<string>();
  for (const part of def.parts) {
    if (names.has(part.name)) throw new TypeError(`view ${def.name}: part name ${part.name} appears twice`);
    names.add(part.name);
    if (!(part.link in def.root.links)) {
      throw new TypeError(`view ${def.name}: part ${part.name} joins on link "${part.link}", but the root declares only ${Object.keys(def.root.links).join(', ') || 'no links'}`);
    }
    if (part.key.length === 0) throw new TypeError(`view ${def.name}: part ${part.name} needs at least one key column`);
    add(part.table, { kind: 'part', spec: part, source: part.source });
    for (const child of part.children) add(child.table, { kind: 'child', spec: child, part, source: part.source });
  }
  return tables;
}

/** The sources a view reads, in definition order (root first). */
export function sourcesOf(def: ViewDefinition): string[] {
  return [...new Set([def.root.source, ...def.parts.map((p) => p.source)])];
}
