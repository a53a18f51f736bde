// @ts-check
// nianbao serve, the form: reading what a clerk types into a number cell, and moving
// between cells by the grid's positions. No state of the page; a module of form.js.

/// What a clerk types or pastes, read as the number it means: full-width digits (１２３, from
/// a Chinese input method) as ASCII, thousands separators and a trailing unit (件, 个, 人次,
/// 元, 万元) dropped, blanks around it trimmed. Anything else is left as typed, for the
/// engine to name. Returns the text to keep.
/**
 * @param {string} text
 * @returns {string}
 */
export function normalise(text) {
  let t = String(text).replace(/[\uFF10-\uFF19]/g, (ch) => String.fromCharCode(ch.charCodeAt(0) - 0xFF10 + 48))
    .replace(/\uFF0E/g, '.').replace(/[\u3000\s]+/g, '');
  t = t.replace(/(件|个|人次|次|元|万元)$/, '');
  if (/^\d{1,3}([,，]\d{3})+(\.\d+)?$/.test(t)) t = t.replace(/[,，]/g, '');
  return t;
}

/// The cell (a typed input, or with `totals` also a computed output) next to `from` in the
/// same table, `dr` rows and `dc` columns away (one of them 0), by the grid's positions:
/// spans are crossed as a spreadsheet crosses merged cells.
/**
 * @param {HTMLElement} from
 * @param {number} dr
 * @param {number} dc
 * @param {boolean} withTotals
 * @returns {HTMLElement | null}
 */
export function neighbour(from, dr, dc, withTotals) {
  const grid = from.closest('table');
  if (!grid) return null;
  /** @param {HTMLElement} e */
  const pos = (e) => ({r: +e.dataset.row, c: +e.dataset.col, rs: +e.dataset.rowspan, cs: +e.dataset.colspan});
  const p = pos(from);
  let best = null, bestDist = Infinity;
  for (const e of grid.querySelectorAll(/** @type {string} */ (withTotals ? 'input[data-key], output[data-key]' : 'input[data-key]'))) {
    if (!(e instanceof HTMLElement) || e === from) continue;
    const q = pos(e);
    let dist;
    if (dc === 0) {
      if (!(q.c <= p.c && p.c < q.c + q.cs)) continue;
      dist = dr > 0 ? q.r - (p.r + p.rs - 1) : p.r - (q.r + q.rs - 1);
    } else {
      if (!(q.r <= p.r && p.r < q.r + q.rs)) continue;
      dist = dc > 0 ? q.c - (p.c + p.cs - 1) : p.c - (q.c + q.cs - 1);
    }
    if (dist > 0 && dist < bestDist) { best = e; bestDist = dist; }
  }
  return best;
}

