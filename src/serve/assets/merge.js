// @ts-check
// nianbao serve, the form: a save refused for a newer version, merged with it field by
// field. No state of the page; a module of form.js.

/// A document as comparable text: keys sorted, empty values (which the YAML leaves out) dropped.
/**
 * @param {unknown} v
 * @returns {string}
 */
export function canon(v) {
  const strip = (x) => {
    if (Array.isArray(x)) return x.map(strip);
    if (x && typeof x === 'object') {
      const out = {};
      for (const k of Object.keys(x).sort()) {
        const y = strip(x[k]);
        if (y === '' || y === null || (typeof y === 'object' && !Array.isArray(y) && !Object.keys(y).length)) continue;
        out[k] = y;
      }
      return out;
    }
    return typeof x === 'number' ? String(x) : x;
  };
  return JSON.stringify(strip(v));
}

/// A three-way merge of one field: `base` what both started from, `mine` and `theirs` the
/// two changes. Returns `{value}` when it merges by itself, or null when both changed it
/// differently.
/**
 * @param {unknown} base
 * @param {unknown} mine
 * @param {unknown} theirs
 * @returns {{value: unknown} | null}
 */
export function merge3(base, mine, theirs) {
  const b = canon(base), m = canon(mine), t = canon(theirs);
  if (m === t || t === b) return {value: mine};
  if (m === b) return {value: theirs};
  return null;
}

/// The typed form merged with the newer version, field by field: each number, each
/// top-level field of the text, and each paragraph of a section whose paragraphs neither
/// side added or removed; `name` names a field (`{cells}` or `{path}`). `asks` lists the fields both changed: `{name, mine, theirs, set}`.
/**
 * @typedef {{doc?: Record<string, any>, numbers?: Record<string, any>}} Form
 * @typedef {{name: string, mine: unknown, theirs: unknown, set: (x: any) => void}} Ask
 * @param {Form} base
 * @param {Form} mine
 * @param {Form} theirs
 * @param {(where: {cells?: string[], path?: string}) => string} name
 * @returns {{merged: {doc: Record<string, any>, numbers: Record<string, any>}, asks: Ask[]}}
 */
export function mergeForms(base, mine, theirs, name) {
  const merged = {doc: {}, numbers: {}};
  const asks = [];
  const nb = base.numbers || {}, nm = mine.numbers || {}, nt = theirs.numbers || {};
  for (const k of new Set([...Object.keys(nb), ...Object.keys(nm), ...Object.keys(nt)])) {
    const r = merge3(nb[k], nm[k], nt[k]);
    const put = (x) => { if (x === undefined) delete merged.numbers[k]; else merged.numbers[k] = x; };
    if (r) { put(r.value); continue; }
    put(nm[k]);
    asks.push({name: name({cells: [k]}) || k, mine: nm[k], theirs: nt[k], set: put});
  }
  const db = base.doc || {}, dm = mine.doc || {}, dt = theirs.doc || {};
  for (const k of new Set([...Object.keys(db), ...Object.keys(dm), ...Object.keys(dt)])) {
    const put = (x) => { if (x === undefined) delete merged.doc[k]; else merged.doc[k] = x; };
    const r = merge3(db[k], dm[k], dt[k]);
    if (r) { put(r.value); continue; }
    const [b, m, t] = [db[k], dm[k], dt[k]];
    if (Array.isArray(b) && Array.isArray(m) && Array.isArray(t) && b.length === m.length && b.length === t.length) {
      const out = m.slice();
      put(out);
      m.forEach((_, i) => {
        const ri = merge3(b[i], m[i], t[i]);
        if (ri) { out[i] = ri.value; return; }
        asks.push({name: name({path: k + '[' + i + ']'}) || k, mine: m[i], theirs: t[i], set: (x) => { out[i] = x; }});
      });
      continue;
    }
    put(m);
    asks.push({name: name({path: k}) || k, mine: m, theirs: t, set: put});
  }
  return {merged, asks};
}

