// nianbao serve: the browser form. Plain JavaScript as ES modules, no framework, no build
// step; served from the binary (/form.js and /modules/NAME.js). The grids come from
// /api/format (the format's own grid data); every check, save and render is the server's
// (the engine), the page only draws and sends. The parts without the page's state are
// modules of their own, with JSDoc types for TypeScript's checker (`// @ts-check`): entry.js (reading typed numbers,
// moving in a grid) and merge.js (a conflict merged field by field).

import {neighbour, normalise} from '/modules/entry.js';
import {canon, mergeForms} from '/modules/merge.js';

const $ = (id) => document.getElementById(id);
const S = {
  csrf: null, role: null, id: null, edition: null, grids: {}, form: null, version: null,
  dirty: false, seq: 0, timer: null, diags: [], conflict: null,
  // The filing of the open report; the office's list (its filters and page); the review queue.
  filing: null, locked: false, page: 0, review: null,
};

function el(tag, attrs, ...kids) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === null || v === undefined || v === false) continue;
    if (k === 'class') e.className = v;
    else if (k === 'text') e.textContent = v;
    else if (k.startsWith('on')) e.addEventListener(k.slice(2), v);
    else e.setAttribute(k, v === true ? '' : v);
  }
  for (const kid of kids.flat()) if (kid !== null && kid !== undefined) e.append(kid);
  return e;
}

async function api(method, url, body, headers) {
  const h = Object.assign({}, headers || {});
  if (method !== 'GET' && S.csrf) h['X-CSRF-Token'] = S.csrf;
  let payload = body;
  if (body !== undefined && !(body instanceof Blob) && typeof body !== 'string') {
    h['Content-Type'] = 'application/json';
    payload = JSON.stringify(body);
  }
  const r = await fetch(url, {method, headers: h, body: payload, credentials: 'same-origin'});
  return r;
}

async function json(r) {
  try { return await r.json(); } catch (_) { return {}; }
}

function show(section) {
  for (const s of ['login', 'office', 'editor']) $(s).hidden = s !== section;
}

// ---------------------------------------------------------------- start

async function start() {
  const r = await api('GET', '/api/session');
  if (r.status === 401) {
    show('login');
    // A login link that failed is still in the address bar (a good one redirects to /).
    $('login-error').hidden = !location.search.includes('token=');
    const sso = await api('GET', '/sso');
    $('sso-login').hidden = !(sso.ok && (await json(sso)).enabled);
    return;
  }
  const who = await json(r);
  S.csrf = who.csrf;
  S.role = who.role;
  S.unit = who.unit;
  S.scope = who.scope || '';
  $('who').textContent = who.role === 'office' ? (S.scope ? '办公室（范围：' + S.scope + '）' : '县（区）办公室') : '本单位：' + who.unit;
  $('logout').hidden = !who.csrf;
  await list();
}

async function list() {
  if (S.role === 'unit') {
    const r = await api('GET', '/api/reports');
    const reports = await json(r);
    if (reports.length === 1) return open(reports[0].id);
  }
  S.review = null;
  show('office');
  $('office-actions').hidden = S.role !== 'office';
  await dashboard();
}

/// Seconds since 1970 as a date and time in China (UTC+8): 2025-01-05 14:03.
function chinaTime(at) {
  if (!at) return '';
  const d = new Date((at + 8 * 3600) * 1000);
  const p = (n) => String(n).padStart(2, '0');
  return d.getUTCFullYear() + '-' + p(d.getUTCMonth() + 1) + '-' + p(d.getUTCDate()) + ' ' + p(d.getUTCHours()) + ':' + p(d.getUTCMinutes());
}

/// Who a history or state row names, as a person reads it.
function saver(who) {
  if (!who) return '';
  return who === 'disk' ? '文件（直接修改）' : who === 'admin' ? '办公室' : who.replace(/^unit:/, '单位 ').replace(/^office:/, '办公室 ');
}

/// Days to the deadline as words: 还有 5 天 / 今天截止 / 逾期 3 天.
function daysText(n) {
  if (n === null || n === undefined) return '';
  return n > 0 ? '还有 ' + n + ' 天' : n === 0 ? '今天截止' : '逾期 ' + (-n) + ' 天';
}

const PAGE_SIZE = 50;

/// The office's dashboard: the counts per state (each a filter), the filters, a page of units.
async function dashboard() {
  const f = new FormData($('filters'));
  const q = new URLSearchParams();
  for (const k of ['state', 'folder', 'sort']) if (f.get(k)) q.set(k, String(f.get(k)));
  if (f.get('late')) q.set('late', '1');
  // The year chosen, else the one most units report (the server's choice, then kept).
  const year = Number(f.get('year')) || S.year;
  if (year) q.set('year', String(year));
  q.set('offset', String(S.page * PAGE_SIZE));
  q.set('limit', String(PAGE_SIZE));
  const r = await api('GET', '/api/dashboard?' + q);
  const v = await json(r);
  if (!r.ok) return;
  S.year = v.year;
  $('f-year').value = String(v.year);
  S.deadline = v.deadline;
  $('dash').hidden = false;
  $('dash-year').textContent = v.year + '年度，共 ' + v.total + ' 个单位';
  $('dash-deadline').textContent = '报送截止：' + v.deadline.deadline_zh + '（' + daysText(v.deadline.days_left) + '）' + (v.late ? '，逾期未提交 ' + v.late + ' 个' : '');
  $('deadline-input').value = v.deadline.deadline;
  const counts = $('counts');
  counts.replaceChildren(...v.counts.map((c) => el('li', {}, el('button', {type: 'button', class: 'count ' + c.state,
    'aria-pressed': $('f-state').value === c.state ? 'true' : 'false',
    onclick: () => { $('f-state').value = $('f-state').value === c.state ? '' : c.state; S.page = 0; dashboard(); }},
  el('span', {class: 'n', text: String(c.n)}), ' ', c.state_zh))));
  const stateSel = $('f-state');
  if (stateSel.options.length === 1) for (const c of v.counts) stateSel.append(el('option', {value: c.state, text: c.state_zh}));
  const folderSel = $('f-folder');
  const chosen = folderSel.value;
  folderSel.replaceChildren(el('option', {value: '', text: '全部'}), ...v.folders.map((x) => el('option', {value: x, text: x})));
  folderSel.value = chosen;
  const submitted = v.counts.find((c) => c.state === 'submitted');
  $('review-all').textContent = '全部审核（待审 ' + (submitted ? submitted.n : 0) + ' 份）';
  const body = $('units');
  body.replaceChildren();
  for (const rep of v.rows) {
    body.append(el('tr', {'data-id': rep.id},
      el('th', {scope: 'row', text: rep.unit || '（未填写单位）'}),
      el('td', {text: rep.file}),
      el('td', {}, badge('state ' + rep.state, rep.state_zh), rep.comment && rep.state === 'returned' ? el('div', {class: 'note', text: '意见：' + rep.comment}) : null,
        rep.changed_since ? el('div', {class: 'error', text: '文件在' + (rep.state === 'published' ? '发布' : '提交') + '后被改动过'}) : null),
      el('td', {}, badge(rep.status, rep.status_zh), el('div', {class: 'note', text: '错误 ' + rep.errors + ' · 警告 ' + rep.warnings})),
      el('td', {text: rep.saved_at ? chinaTime(rep.saved_at) + ' ' + saver(rep.saved_by) : '—'}),
      el('td', {class: rep.late ? 'late' : '', text: rep.days_left === null ? '—' : daysText(rep.days_left)}),
      el('td', {}, el('button', {type: 'button', onclick: () => open(rep.id), text: '打开'}),
        S.role === 'office' ? el('button', {type: 'button', class: 'link', onclick: () => reissue(rep.id), text: '新登录链接'}) : null)));
  }
  const pages = Math.max(1, Math.ceil(v.shown / PAGE_SIZE));
  $('pager').hidden = v.shown <= PAGE_SIZE;
  $('page-note').textContent = '第 ' + (S.page + 1) + ' / ' + pages + ' 页，筛选出 ' + v.shown + ' 个';
  $('prev-page').disabled = S.page === 0;
  $('next-page').disabled = S.page + 1 >= pages;
}

function badge(status, zh) {
  return el('span', {class: 'badge ' + status, text: zh});
}

// ---------------------------------------------------------------- the report

async function open(id) {
  const r = await api('GET', '/api/reports/' + encodeURIComponent(id) + '/form');
  const v = await json(r);
  S.id = id;
  for (const b of ['save', 'show-history', 'show-preview', 'dl-current']) $(b).disabled = !r.ok;
  if (!r.ok) {
    // A file the form cannot show (a YAML syntax error): say so, offer the file itself.
    show('editor');
    $('report').replaceChildren(el('p', {class: 'error', text: v.message || String(r.status)}),
      el('ul', {}, (v.diagnostics || []).map((d) => el('li', {text: describe(d) + (d.line ? '（第 ' + d.line + ' 行）' : '') + ' ' + detail(d)}))));
    $('problems').replaceChildren();
  } else {
    await load(v, v.version);
    show('editor');
  }
  $('to-list').hidden = S.role !== 'office';
  await filing();
  // The 图解's forms are `tujie.png`, `tujie.pdf` (links `dl-tujie-png`, `dl-tujie-pdf`).
  for (const f of ['pdf', 'docx', 'html', 'yaml', 'tujie.png', 'tujie.pdf']) {
    const a = $('dl-' + f.replace('.', '-'));
    a.href = '/api/reports/' + encodeURIComponent(id) + '/render?format=' + f;
    a.onclick = download;
  }
}

// A download fetched first, so that a refusal (the server busy, a report with errors) is
// said in the note, Chinese first, instead of the page giving way to the JSON body.
async function download(ev) {
  ev.preventDefault();
  const r = await api('GET', ev.currentTarget.href);
  if (!r.ok) {
    const v = await json(r);
    $('save-note').textContent = '下载失败：' + (v.message || r.status);
    return;
  }
  const cd = r.headers.get('Content-Disposition') || '';
  const utf8 = /filename\*=UTF-8''([^;]+)/i.exec(cd);
  const plain = /filename="([^"]+)"/.exec(cd);
  const name = utf8 ? decodeURIComponent(utf8[1]) : (plain ? plain[1] : '');
  const link = el('a', {href: URL.createObjectURL(await r.blob()), download: name, hidden: true});
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(link.href), 60000);
}

/// What is on screen (saved or not) as a PDF file named after the unit, through the preview
/// route; a refusal (errors, busy) is said in the note.
async function downloadCurrent() {
  $('save-note').textContent = '正在生成当前内容的 PDF……';
  const r = await api('POST', '/api/reports/' + encodeURIComponent(S.id) + '/form/preview', {edition: S.edition, form: S.form});
  if (!r.ok) {
    const v = await json(r);
    $('save-note').textContent = '下载失败：' + (r.status === 422 ? '报告有错误，改正后才能生成 PDF。' : (v.message || r.status));
    return;
  }
  const d = doc();
  const name = ((d.unit || '报告') + (d.year ? d.year + '年度' : '') + '政府信息公开工作年度报告（未保存内容）.pdf').replace(/[\\/:*?"<>|]/g, '_');
  const link = el('a', {href: URL.createObjectURL(await r.blob()), download: name, hidden: true});
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(link.href), 60000);
  $('save-note').textContent = '已下载当前内容的 PDF。';
}

async function grids(edition) {
  if (!S.grids[edition]) {
    const r = await api('GET', '/api/format?edition=' + edition);
    S.grids[edition] = await json(r);
  }
  return S.grids[edition];
}

async function load(v, version) {
  S.edition = v.edition;
  S.form = v.form;
  // What the version started from held: a conflict is merged field by field against it.
  S.base = JSON.parse(JSON.stringify(v.form));
  S.version = version;
  S.dirty = false;
  $('report-title').textContent = (v.unit || '') + (v.year ? v.year + '年度' : '') + '政府信息公开工作年度报告';
  draw(await grids(v.edition));
  showDiags(v.diagnostics, v.status, v.status_zh);
  $('unsaved').hidden = true;
  offerDraft();
}

// ---------------------------------------------------------------- drafts (typing never lost)

// Every change is kept in the browser (localStorage) under the unit and the version it was
// typed on, until it is saved; a reload, a crash or a closed tab finds it there.
const DRAFT = 'nianbao-draft:';

function draftPrefix() { return DRAFT + S.id + ':'; }

function keepDraft() {
  try {
    localStorage.setItem(draftPrefix() + S.version, JSON.stringify({edition: S.edition, form: S.form, base: S.base, at: Date.now()}));
  } catch (_) { /* storage full or refused: the form still holds it */ }
}

function dropDrafts() {
  const prefix = draftPrefix();
  for (const k of Object.keys(localStorage)) if (k.startsWith(prefix)) localStorage.removeItem(k);
}

/// The newest draft of this report: `{version, edition, form, at}`, or null.
function findDraft() {
  const prefix = draftPrefix();
  let best = null;
  for (const k of Object.keys(localStorage)) {
    if (!k.startsWith(prefix)) continue;
    try {
      const d = JSON.parse(localStorage.getItem(k) || '');
      if (d && d.form && (!best || d.at > best.at)) best = Object.assign(d, {version: k.slice(prefix.length)});
    } catch (_) { localStorage.removeItem(k); }
  }
  return best;
}

function offerDraft() {
  const box = $('draft');
  box.hidden = true;
  const d = findDraft();
  if (!d) return;
  if (d.version === S.version && canon(d.form) === canon(S.form)) { dropDrafts(); return; }
  const when = new Date(d.at).toLocaleString('zh-CN');
  $('draft-text').textContent = '此报告有 ' + when + ' 填写但未保存的内容' +
    (d.version === S.version ? '。' : '（填写后报告已被保存过新的版本，恢复后保存时会先与新版本比较）。');
  box.hidden = false;
  $('restore-draft').onclick = async () => {
    box.hidden = true;
    S.form = d.form;
    S.base = d.base || JSON.parse(JSON.stringify(d.form));
    S.edition = d.edition;
    // Saved against the version it was typed on: a newer one is then a conflict to merge.
    S.version = d.version;
    draw(await grids(d.edition));
    changed();
    $('save-note').textContent = '已恢复未保存的内容，请检查后保存。';
  };
  $('drop-draft').onclick = () => { box.hidden = true; dropDrafts(); };
}

function doc() { return S.form.doc; }

function changed() {
  S.lastInput = performance.now();
  S.dirty = true;
  keepDraft();
  $('unsaved').hidden = false;
  clearTimeout(S.timer);
  S.timer = setTimeout(check, 250);
}

function field(label, path, value, onchange, opts) {
  const o = opts || {};
  const id = 'f-' + path.replace(/[^A-Za-z0-9_-]/g, '_');
  const input = o.multiline
    ? el('textarea', {id, rows: o.rows || 3, 'data-path': path})
    : el('input', {id, 'data-path': path, inputmode: o.inputmode, placeholder: o.placeholder});
  input.value = value === undefined || value === null ? '' : String(value);
  input.addEventListener('input', () => { onchange(input.value); input.classList.toggle('todo', input.value.includes('【待填写】')); changed(); });
  return el('div', {class: 'field' + (o.wide ? ' wide' : '')}, el('label', {for: id, text: label}), input,
    el('p', {class: 'diag-list', 'data-for': path}));
}

function draw(g) {
  const form = $('report');
  form.replaceChildren();
  const d = doc();
  form.append(el('fieldset', {class: 'meta'}, el('legend', {text: '基本信息'}),
    field('发布机关（单位）', 'unit', d.unit, (v) => { d.unit = v; }),
    field('年度', 'year', d.year, (v) => { d.year = v; }, {inputmode: 'numeric'}),
    field('成文日期', 'date', d.date, (v) => { d.date = v; }, {placeholder: 'YYYY-MM-DD'})));
  form.append(prose('preamble', '前言', false));
  for (const s of g.sections) {
    const box = el('section', {class: 'section', 'aria-labelledby': 'h-' + s.key},
      el('h2', {id: 'h-' + s.key, text: s.heading}));
    if (s.table) {
      box.append(aside(s.key, 'intro', '表前说明（可选）'),
        table(g.tables.find((t) => t.key === s.table), s.heading),
        aside(s.key, 'notes', '表后说明（可选）'));
    }
    else box.append(prose(s.key, s.heading, true, s.skeleton_headings));
    form.append(box);
  }
  form.append(signature());
  totals();
  if (S.locked) lock(true);
}

// ---------------------------------------------------------------- tables

/// A table section's `intro` or `notes`: text (each line a paragraph); a list with headings
/// or figures is kept as it is and said so.
function aside(section, key, label) {
  const d = doc();
  if (!d[section] || typeof d[section] !== 'object' || Array.isArray(d[section])) d[section] = {};
  const box = d[section];
  const v = box[key];
  const lines = Array.isArray(v) && v.every((x) => typeof x === 'string') ? v.join('\n') : v;
  if (lines !== undefined && lines !== null && typeof lines !== 'string') {
    return el('p', {class: 'note', 'data-path': section + '.' + key, text: label + '含小标题或图片，保存时原样保留；请下载 YAML 修改。'});
  }
  return field(label + '（每行一段）', section + '.' + key, lines, (t) => {
    if (t.trim() === '') delete box[key]; else box[key] = t;
  }, {multiline: true, rows: 2, wide: true});
}

function table(t, heading) {
  const numbers = S.form.numbers;
  const total = t.widths.reduce((a, b) => a + b, 0);
  // Widths through the CSSOM: the page's policy (default-src 'self') refuses style attributes.
  const colgroup = el('colgroup', {}, t.widths.map((w) => {
    const col = el('col');
    col.style.width = (w / total * 100).toFixed(2) + '%';
    return col;
  }));
  const tbody = el('tbody');
  const thead = el('thead');
  t.rows.forEach((row, r) => {
    const tr = el('tr');
    for (const c of row) {
      const span = {rowspan: c.rowspan > 1 ? c.rowspan : null, colspan: c.colspan > 1 ? c.colspan : null};
      if (c.key === undefined) {
        const scope = c.head || r < t.header_rows ? 'col' : 'row';
        // A first-column label's text sticks too: a label spanning several columns is
        // wider than the box's view, and the cell itself stops at the table's edge.
        tr.append(el('th', Object.assign({class: (c.head ? 'head' : 'label') + (c.col === 0 ? ' first' : ''), scope}, span),
          c.col === 0 ? el('span', {class: 'label-text'}, c.text) : c.text));
      } else if (c.sum) {
        tr.append(el('td', Object.assign({class: 'total', 'data-key': c.key}, span),
          el('output', {'data-key': c.key, 'data-sum': c.sum.join(' '), 'aria-label': c.label + '（自动计算）', title: c.label + '（自动计算）',
            'data-row': c.row, 'data-col': c.col, 'data-rowspan': c.rowspan || 1, 'data-colspan': c.colspan || 1})));
      } else {
        const input = el('input', {'data-key': c.key, inputmode: c.decimal ? 'decimal' : 'numeric',
          'aria-label': c.label, title: c.label, autocomplete: 'off', 'data-row': c.row, 'data-col': c.col,
          'data-rowspan': c.rowspan || 1, 'data-colspan': c.colspan || 1});
        input.value = numbers[c.key] === undefined ? '' : String(numbers[c.key]);
        numberCell(input, c.key, t.key);
        tr.append(el('td', Object.assign({class: 'cell', 'data-key': c.key}, span), input));
      }
    }
    (r < t.header_rows ? thead : tbody).append(tr);
  });
  const grid = el('table', {class: 'grid', 'data-table': t.key}, el('caption', {text: heading}), colgroup, thead, tbody);
  return el('div', {}, el('div', {class: 'grid-box', role: 'region', tabindex: 0, 'aria-label': heading + '（表格）'}, grid),
    el('p', {class: 'note entry-note', 'data-entry-note': t.key, 'aria-live': 'polite'}),
    el('ul', {class: 'diag-list table-diags', 'data-table-diags': t.key}));
}

/// The note under a table that says what was read differently from what was typed.
function entryNote(table, text) {
  const note = document.querySelector('[data-entry-note="' + CSS.escape(table) + '"]');
  if (note) note.textContent = text;
}

/// The typed cell `input` of `key`: the whole content selected when it gets focus (a click
/// left of a number then replaces it instead of putting the digit in front), typing read by
/// `normalise`, a block pasted from a spreadsheet spread across the grid, and Enter and the
/// arrows moving between cells as in a spreadsheet.
function numberCell(input, key, table) {
  const numbers = S.form.numbers;
  // While typing, the number is read as it will be kept; the cell shows it (and the note
  // says how it was read) when the clerk leaves the cell, so the caret never jumps mid-word.
  const set = (raw) => { numbers[key] = normalise(raw); };
  const settle = () => {
    const raw = input.value, v = normalise(raw);
    if (v === raw) return;
    input.value = v;
    numbers[key] = v;
    entryNote(table, '“' + raw + '”已读作 ' + (v === '' ? '空白' : v) + '（' + input.getAttribute('aria-label') + '）。');
  };
  let justFocused = false;
  input.addEventListener('focus', () => { justFocused = true; input.select(); });
  // The click that focused the cell would put the caret where it landed: keep the selection.
  input.addEventListener('mouseup', (ev) => { if (justFocused) { ev.preventDefault(); input.select(); } justFocused = false; });
  input.addEventListener('blur', () => { justFocused = false; settle(); });
  input.addEventListener('input', (ev) => {
    justFocused = false;
    if (ev.isComposing) return;
    set(input.value);
    totals();
    changed();
  });
  input.addEventListener('compositionend', () => { set(input.value); totals(); changed(); });
  input.addEventListener('keydown', (ev) => {
    if (ev.isComposing || ev.altKey || ev.ctrlKey || ev.metaKey) return;
    const at0 = input.selectionStart === 0, atEnd = input.selectionEnd === input.value.length;
    const step = {ArrowDown: [1, 0], ArrowUp: [-1, 0], Enter: [ev.shiftKey ? -1 : 1, 0],
      ArrowRight: atEnd ? [0, 1] : null, ArrowLeft: at0 ? [0, -1] : null}[ev.key];
    if (!step) return;
    const next = neighbour(input, step[0], step[1], false);
    ev.preventDefault();
    if (next) next.focus();
  });
  input.addEventListener('paste', (ev) => {
    const text = ev.clipboardData ? ev.clipboardData.getData('text/plain') : '';
    if (!/[\t\n]/.test(text.replace(/\r?\n$/, ''))) {
      // One value: read as typed, replacing the selection.
      ev.preventDefault();
      input.value = input.value.slice(0, input.selectionStart) + text.replace(/\r?\n$/, '') + input.value.slice(input.selectionEnd);
      settle(); set(input.value); totals(); changed();
      return;
    }
    ev.preventDefault();
    pasteBlock(input, table, text);
  });
}

/// A block copied from Excel or WPS (rows on lines, columns by tabs) spread from `start`:
/// each row down the grid, each value to the right; a value that lands on a 总计 (computed)
/// is not typed there; values past the table's edge are counted in the note.
function pasteBlock(start, table, text) {
  const rows = text.replace(/\r/g, '').replace(/\n$/, '').split('\n').map((l) => l.split('\t'));
  let rowStart = start, placed = 0, skipped = 0, outside = 0, read = 0;
  for (const values of rows) {
    let at = rowStart;
    for (const raw of values) {
      if (!at) { outside++; continue; }
      if (at.matches('input')) {
        const v = normalise(raw);
        if (v !== raw.trim()) read++;
        at.value = v;
        S.form.numbers[at.dataset.key] = v;
        placed++;
      } else skipped++;
      at = neighbour(at, 0, 1, true);
    }
    rowStart = rowStart && neighbour(rowStart, 1, 0, true);
  }
  totals();
  changed();
  const parts = ['已粘贴 ' + rows.length + ' 行 ' + placed + ' 个数'];
  if (skipped) parts.push(skipped + ' 个落在自动计算的总计格，未填入');
  if (outside) parts.push(outside + ' 个超出表格，未填入');
  if (read) parts.push(read + ' 个已按数字读取（全角数字、“件”、千位分隔符）');
  entryNote(table, parts.join('；') + '。');
}

/// Every computed cell: the sum of the typed cells it names (blank counts as 0).
function totals() {
  const numbers = S.form.numbers;
  for (const out of document.querySelectorAll('output[data-sum]')) {
    let sum = 0, bad = false;
    for (const k of out.dataset.sum.split(' ')) {
      const v = String(numbers[k] === undefined ? '' : numbers[k]).trim();
      if (v === '') continue;
      if (!/^\d+$/.test(v)) { bad = true; continue; }
      sum += Number(v);
    }
    out.value = bad ? '?' : String(sum);
  }
}

// ---------------------------------------------------------------- prose

function prose(key, heading, headed, suggestions) {
  const d = doc();
  if (!Array.isArray(d[key])) d[key] = d[key] === undefined || d[key] === null ? [] : [d[key]];
  const items = d[key];
  const box = el('div', {class: 'prose', 'data-path': key});
  const redraw = () => box.replaceWith(prose(key, heading, headed, suggestions));
  if (!headed) box.append(el('h2', {text: heading}));
  box.append(el('p', {class: 'diag-list', 'data-for': key}));
  items.forEach((item, i) => {
    const path = key + '[' + i + ']';
    const remove = el('button', {type: 'button', class: 'link', text: '删除这一段',
      onclick: () => { items.splice(i, 1); redraw(); changed(); }});
    let body;
    if (typeof item === 'string' || typeof item === 'number') {
      body = field('段落（每行一段）', path, item, (v) => { items[i] = v; }, {multiline: true, wide: true});
    } else if (item && item.image !== undefined) {
      body = el('div', {class: 'figure'},
        field('图片文件', path + '.image', item.image, (v) => { item.image = v; }),
        upload(path + '.image', (name) => { item.image = name; redraw(); }, 'figure'),
        field('图题', path + '.caption', item.caption, (v) => { item.caption = v; }),
        field('替代文本（描述图片内容）', path + '.alt', item.alt, (v) => { item.alt = v; }, {wide: true}),
        field('宽度（毫米）', path + '.width_mm', item.width_mm, (v) => { item.width_mm = v; }, {inputmode: 'decimal'}));
    } else if (item && typeof item === 'object') {
      const text = Array.isArray(item.text) && item.text.every((t) => typeof t === 'string') ? item.text.join('\n') : item.text;
      const runIn = el('input', {type: 'checkbox', id: 'ri-' + key + i});
      runIn.checked = item.run_in === true;
      runIn.addEventListener('change', () => { if (runIn.checked) item.run_in = true; else delete item.run_in; changed(); });
      body = el('div', {class: 'subsection'},
        field('小标题（不写序号）', path + '.heading', item.heading, (v) => { item.heading = v; }, {wide: true}),
        el('p', {class: 'check'}, runIn, el('label', {for: 'ri-' + key + i, text: '小标题与正文同一段（如“存在的主要问题：一是……”）'})),
        typeof text === 'string' || text === undefined || text === null
          ? field('正文（每行一段）', path + '.text', text, (v) => { item.text = v; }, {multiline: true, rows: 5, wide: true})
          : el('p', {class: 'note', text: '正文含图片或下级内容，保存时原样保留；请下载 YAML 修改。'}),
        item.items ? el('p', {class: 'note', text: '含下级小标题（' + item.items.length + ' 项），保存时原样保留。'}) : null);
    }
    box.append(el('div', {class: 'item', 'data-path': path}, el('p', {class: 'diag-list', 'data-for': path}), body, remove));
  });
  const add = (what) => () => { items.push(what()); redraw(); changed(); };
  const unused = (suggestions || []).find((h) => !items.some((it) => it && it.heading === h));
  box.append(el('p', {class: 'actions'},
    el('button', {type: 'button', onclick: add(() => ''), text: '＋ 段落'}),
    headed ? el('button', {type: 'button', onclick: add(() => ({heading: unused || '', text: ''})), text: '＋ 小标题' + (unused ? '：' + unused : '')}) : null,
    headed ? el('button', {type: 'button', onclick: add(() => ({image: '', caption: ''})), text: '＋ 图片'}) : null));
  return box;
}

// Uploads keep their own names (公章.png, percent-encoded UTF-8); the server files a seal and
// a figure apart in the unit's own folder, never over another file, and answers with the name
// the report uses (a.files/seal/公章.png).
function upload(path, done, kind) {
  const input = el('input', {type: 'file', accept: 'image/png,image/jpeg'});
  input.addEventListener('change', async () => {
    const file = input.files[0];
    if (!file) return;
    const url = '/api/reports/' + encodeURIComponent(S.id) + '/files?kind=' + kind + '&name=' + encodeURIComponent(file.name);
    const r = await api('POST', url, file);
    const v = await json(r);
    if (r.status === 201) { done(v.name); changed(); } else alert(v.message || ('上传失败 ' + r.status));
  });
  return el('p', {class: 'upload'}, el('label', {}, '上传图片（PNG 或 JPEG）：', input));
}

function signature() {
  const d = doc();
  if (!d.signature || typeof d.signature !== 'object') d.signature = {};
  const sig = d.signature;
  const seal = typeof sig.seal === 'object' && sig.seal ? sig.seal.image : sig.seal;
  const clean = () => { for (const k of Object.keys(sig)) if (sig[k] === '') delete sig[k]; };
  return el('fieldset', {class: 'meta signature'}, el('legend', {text: '落款'}),
    field('落款单位（默认同发布机关）', 'signature.unit', sig.unit, (v) => { sig.unit = v; clean(); }),
    field('落款日期（默认同成文日期）', 'signature.date', sig.date, (v) => { sig.date = v; clean(); }, {placeholder: 'YYYY-MM-DD'}),
    field('印章图片', 'signature.seal', seal, (v) => { setSeal(sig, v); clean(); }),
    upload('signature.seal', (name) => { setSeal(sig, name); $('f-signature_seal').value = name; }, 'seal'));
}

function setSeal(sig, name) {
  if (sig.seal && typeof sig.seal === 'object') sig.seal.image = name; else sig.seal = name;
}

// ---------------------------------------------------------------- checking

async function check() {
  const seq = ++S.seq;
  const t0 = performance.now();
  const r = await api('POST', '/api/reports/' + encodeURIComponent(S.id) + '/form/check', {edition: S.edition, form: S.form});
  if (seq !== S.seq) return; // a newer check is on its way
  const v = await json(r);
  if (!r.ok) { $('save-note').textContent = v.message || ('检查失败 ' + r.status); return; }
  showDiags(v.diagnostics, v.status, v.status_zh);
  // The check's round trip (request, engine, drawing) and the time since the last keystroke
  // (the same plus the debounce), for the browser test.
  const now = performance.now();
  document.body.dataset.checkMs = String(Math.round(now - t0));
  document.body.dataset.sinceInputMs = String(Math.round(now - S.lastInput));
  document.body.dataset.checked = String(seq);
}

function target(path) {
  if (!path) return null;
  let p = path;
  for (;;) {
    const q = CSS.escape(p);
    const found = document.querySelector('input[data-key="' + q + '"], output[data-key="' + q + '"]') ||
      document.querySelector('#report [data-path="' + q + '"]');
    if (found) return found;
    const cut = Math.max(p.lastIndexOf('.'), p.lastIndexOf('['));
    if (cut <= 0) return null;
    p = p.slice(0, cut);
  }
}

/// A diagnostic in the clerk's words: the field it is about, the Chinese message and the
/// first hint. The rule code and the English are in `detail` (shown by the 详细 toggle).
function describe(d) {
  const where = fieldName(d);
  return (where ? where + '：' : '') + d.message_zh + (d.hints && d.hints.length ? ' — ' + places(english(d.hints[0])[0]) : '');
}

/// A bilingual text split into its Chinese and the English in its closing parentheses.
/// A hint's places in the form's words: `sub/b.yaml:12:3` → `sub/b.yaml 第12行`, `本报告 12:3`
/// → `本报告第12行` (the command line keeps file:line:col for editors).
function places(text) {
  return text
    .replace(/本报告 (\d+):\d+/g, '本报告第$1行')
    .replace(/(\S+?\.ya?ml):(\d+):\d+/g, '$1 第$2行');
}

function english(text) {
  const m = /^(.*?)\s*\(([^()]*[A-Za-z][^()]*)\)\s*$/.exec(text);
  return m ? [m[1], m[2]] : [text, ''];
}

function detail(d) {
  const hint = d.hints && d.hints.length ? english(d.hints[0])[1] : '';
  return '〔' + d.code + (d.message_en ? ' · ' + d.message_en : '') + (hint ? ' · ' + hint : '') + '〕';
}

/// The field a diagnostic is about, as the form names it: a table's cell by its section,
/// row and column labels; prose by its section and paragraph; a metadata field by its label.
function fieldName(d) {
  const g = S.grids[S.edition];
  const heading = (key) => {
    const sec = g && g.sections.find((x) => x.key === key);
    return sec ? sec.heading : key === 'preamble' ? '前言' : key === 'signature' ? '落款' : null;
  };
  const cellKey = (d.cells && d.cells[0]) || null;
  if (cellKey) {
    const q = CSS.escape(cellKey);
    const input = document.querySelector('input[data-key="' + q + '"], output[data-key="' + q + '"]');
    const table = input && input.closest('table');
    const label = input ? input.getAttribute('aria-label') : d.label;
    return (table ? (heading(table.dataset.table) || '') + ' ' : '') + (label || '');
  }
  const path = d.path || '';
  const named = nameFromPage(path, d);
  if (named) return named;
  const meta = {unit: '发布机关（单位）', year: '年度', date: '成文日期', 'signature.unit': '落款单位',
    'signature.date': '落款日期', 'signature.seal': '印章图片'};
  if (meta[path]) return meta[path];
  const m = /^([a-z_]+)(?:\[(\d+)\])?(?:\.([a-z_]+))?/.exec(path);
  if (!m) return d.label || '';
  const sec = heading(m[1]);
  if (!sec) return d.label || path;
  const parts = [sec];
  if (m[2] !== undefined) {
    const item = S.form && Array.isArray(doc()[m[1]]) ? doc()[m[1]][+m[2]] : null;
    parts.push(item && typeof item === 'object' && item.heading ? '“' + item.heading + '”' : '第 ' + (+m[2] + 1) + ' 段');
  } else if (m[3] === 'intro') parts.push('表前说明');
  else if (m[3] === 'notes') parts.push('表后说明');
  if (m[2] !== undefined && m[3] === 'text') parts.push('正文');
  if (m[3] === 'caption') parts.push('图题');
  if (m[3] === 'alt') parts.push('替代文本');
  return parts.join(' ');
}

/// A diagnostic without a place whose message quotes text (the placeholder 【待填写】): the
/// first field that holds that text.
function quotedField(d) {
  const m = /“([^”]+)”/.exec(d.message_zh || '');
  if (!m) return null;
  return Array.from(document.querySelectorAll('#report input, #report textarea')).find((e) => e.value.includes(m[1])) || null;
}

/// A field's name as the page shows it: its section's heading, the item's sub-heading or
/// paragraph number, and the field's own label.
function nameFromPage(path, d) {
  const t = target(path) || (d && quotedField(d));
  if (!t || t.closest('table')) return '';
  const parts = [];
  const section = t.closest('section.section') || t.closest('.prose');
  const h = section && section.querySelector('h2');
  if (h) parts.push(h.textContent);
  const item = t.closest('.item');
  if (item) {
    const items = Array.from(item.parentElement.querySelectorAll(':scope > .item'));
    const sub = item.querySelector('input[data-path$=".heading"]');
    parts.push(sub && sub.value ? '“' + sub.value + '”' : '第 ' + (items.indexOf(item) + 1) + ' 段');
  }
  const label = t.matches('input, textarea') && t.labels && t.labels[0] ? t.labels[0].textContent : '';
  const short = label.replace(/（[^）]*）$/, '');
  if (short && short !== '段落') parts.push(short);
  return parts.join(' ');
}

/// The text of a diagnostic's line: the clerk's words, then the detail (hidden until 详细).
function diagLine(d) {
  return [describe(d), ' ', el('span', {class: 'detail', lang: 'en', text: detail(d)})];
}

/// The next field marked with an error (after the focused one, round to the first).
function nextError() {
  const marked = Array.from(document.querySelectorAll('#report input.bad, #report textarea.bad'));
  const list = marked.length ? marked : Array.from(document.querySelectorAll('#report input.warn, #report textarea.warn'));
  if (!list.length) {
    const first = document.querySelector('#problems li, .diag-list .bad, .diag-list .warn');
    if (first) first.scrollIntoView({block: 'center'});
    return;
  }
  const now = document.activeElement;
  const after = list.find((e) => now && (now.compareDocumentPosition(e) & Node.DOCUMENT_POSITION_FOLLOWING));
  const to = after || list[0];
  to.scrollIntoView({block: 'center'});
  to.focus();
}

/// Fields still holding the skeleton's 【待填写】 text are highlighted until it is replaced.
function markPlaceholders() {
  for (const e of document.querySelectorAll('#report input, #report textarea')) {
    e.classList.toggle('todo', e.value.includes('【待填写】'));
  }
}

function showDiags(diags, status, statusZh) {
  // Errors before warnings; in the order of the report within each.
  const rank = (d) => (d.severity === 'error' ? 0 : 1);
  S.diags = (diags || []).slice().sort((a, b) => rank(a) - rank(b));
  markPlaceholders();
  for (const e of document.querySelectorAll('.bad, .warn')) {
    e.classList.remove('bad', 'warn');
    e.removeAttribute('aria-invalid');
    e.removeAttribute('data-diag');
    if (e.dataset.key) e.title = e.getAttribute('aria-label') || '';
  }
  for (const e of document.querySelectorAll('.diag-list')) e.replaceChildren();
  const loose = [];
  const tableLists = new Map();
  for (const d of S.diags) {
    const kind = d.severity === 'error' ? 'bad' : 'warn';
    let places = (d.cells && d.cells.length ? d.cells : [d.path]).map(target).filter((x) => x);
    if (!places.length && !d.path) places = [quotedField(d)].filter((x) => x);
    const text = describe(d);
    if (!places.length) { loose.push(d); continue; }
    for (const p of places) {
      // A whole section or item (a prose box): the message goes in its list, not its colour.
      if (!p.matches('input, textarea, output')) continue;
      p.classList.add(kind);
      if (kind === 'bad') p.setAttribute('aria-invalid', 'true');
      p.dataset.diag = ((p.dataset.diag || '') + ' ' + d.code).trim();
      if (p.dataset.key) p.title = (p.getAttribute('aria-label') || '') + '\n' + text + ' ' + detail(d);
    }
    const first = places[0];
    const grid = first.closest('table');
    if (grid) {
      const list = document.querySelector('[data-table-diags="' + grid.dataset.table + '"]');
      const key = grid.dataset.table + text;
      if (list && !tableLists.has(key)) {
        tableLists.set(key, true);
        list.append(el('li', {class: kind, 'data-code': d.code}, el('a', {href: '#', onclick: (ev) => { ev.preventDefault(); first.focus(); }}, diagLine(d))));
      }
    } else {
      const own = first.matches('input, textarea, output') ? first.parentElement : first;
      const list = own && own.querySelector(':scope > .diag-list');
      if (list) list.append(el('span', {class: kind, 'data-code': d.code}, diagLine(d)));
      else loose.push(d);
    }
  }
  const errors = S.diags.filter((d) => d.severity === 'error').length;
  const warnings = S.diags.filter((d) => d.severity === 'warning').length;
  const box = $('problems');
  box.replaceChildren();
  if (errors || warnings) box.append(el('p', {text: '错误 ' + errors + ' 处，警告 ' + warnings + ' 处' + (S.diags.length > loose.length ? '，已标在对应的格子或栏目旁。' : '。')}));
  $('next-error').hidden = !(errors || warnings);
  $('next-error').textContent = errors ? '下一个错误' : '下一个警告';
  if (loose.length) box.append(el('ul', {}, loose.map((d) => el('li', {class: d.severity === 'error' ? 'bad' : 'warn', 'data-code': d.code}, diagLine(d)))));
  $('status').className = 'badge ' + status;
  $('status').textContent = statusZh;
}

// ---------------------------------------------------------------- saving, conflicts, history

async function save() {
  clearTimeout(S.timer);
  $('save-note').textContent = '正在保存……';
  const r = await api('PUT', '/api/reports/' + encodeURIComponent(S.id) + '/form', {edition: S.edition, form: S.form}, {'If-Match': '"' + S.version + '"'});
  const v = await json(r);
  if (r.status === 409 && v.error === 'locked') { $('save-note').textContent = '未保存：' + v.message; return; }
  if (r.status === 409) return conflict(v);
  if (sessionEnded(r, v)) {
    $('save-note').textContent = '登录已失效，内容仍在本页和本机浏览器中。请重新登录后保存。';
    if (await relogin()) return save();
    return;
  }
  if (!r.ok) { $('save-note').textContent = '保存失败：' + (v.message || r.status); return; }
  dropDrafts();
  S.base = JSON.parse(JSON.stringify(S.form));
  S.version = v.version;
  S.dirty = false;
  S.conflict = null;
  $('conflict').hidden = true;
  $('unsaved').hidden = true;
  $('save-note').textContent = '已保存（版本 ' + v.version.slice(0, 8) + '）';
  showDiags(v.diagnostics, v.status, v.status_zh);
  if (!$('history').hidden) history();
  filing();
}

/// The session is over (the server restarted, the 12 h passed, the link was reissued): 401,
/// or 403 for a CSRF token of a session that is no more.
function sessionEnded(r, v) {
  return r.status === 401 || (r.status === 403 && v.error === 'csrf');
}

/// Logs in again without leaving the page: asks for the login link (or its token), opens a
/// new session with it and takes the new session's CSRF token. True when logged in again as
/// the same unit.
function relogin() {
  const dialog = /** @type {HTMLDialogElement} */ ($('relogin'));
  const input = /** @type {HTMLInputElement} */ ($('relogin-token'));
  const err = $('relogin-error');
  err.textContent = '';
  input.value = '';
  return new Promise((resolve) => {
    const form = $('relogin-form');
    const finish = (ok) => { form.onsubmit = null; $('relogin-cancel').onclick = null; dialog.close(); resolve(ok); };
    $('relogin-cancel').onclick = () => finish(false);
    form.onsubmit = async (ev) => {
      ev.preventDefault();
      const text = input.value.trim();
      const m = /[?&]token=([^&#\s]+)/.exec(text);
      const token = m ? decodeURIComponent(m[1]) : text;
      if (!token) return;
      // The login route sets the new session's cookie and redirects; the redirect is not followed.
      const login = await fetch('/?token=' + encodeURIComponent(token), {credentials: 'same-origin', redirect: 'manual'});
      const r = login.status === 401 ? login : await api('GET', '/api/session');
      if (!r.ok) { err.textContent = '登录令牌无效或已被收回（the token is wrong or revoked）。'; return; }
      const who = await json(r);
      if (who.role !== S.role || (S.role === 'unit' && who.unit !== S.unit)) {
        err.textContent = '这是另一个单位的登录链接（a link of another unit）。';
        return;
      }
      S.csrf = who.csrf;
      finish(true);
    };
    dialog.showModal();
    input.focus();
  });
}

/// The text of a field's value for the side-by-side view.
function shown(x) {
  if (x === undefined || x === null || x === '') return '（空）';
  if (typeof x === 'string' || typeof x === 'number') return String(x);
  if (typeof x === 'object' && !Array.isArray(x) && (x.heading !== undefined || x.text !== undefined)) {
    return [x.heading, Array.isArray(x.text) ? x.text.join('\n') : x.text].filter((y) => y).join('\n');
  }
  return Array.isArray(x) ? x.map(shown).join('\n') : JSON.stringify(x);
}

/// A save refused because someone saved a newer version: what only one side changed merges
/// by itself; when nothing was changed by both, the merge is saved at once; otherwise only
/// the fields both changed are shown, side by side, to choose.
async function conflict(v) {
  const {merged, asks} = mergeForms(S.base || S.form, S.form, v.newer.form, fieldName);
  S.conflict = Object.assign(v, {merged, asks});
  if (!asks.length) {
    S.form = merged;
    S.base = JSON.parse(JSON.stringify(v.newer.form));
    S.version = v.version;
    draw(await grids(S.edition));
    await save();
    if (!S.dirty) $('save-note').textContent += '；已与他人同时保存的修改合并。';
    return;
  }
  const diff = $('conflict-diff');
  diff.replaceChildren();
  for (const a of asks) {
    diff.append(el('li', {class: 'ask'}, el('strong', {text: a.name}),
      el('div', {class: 'sides'},
        el('div', {class: 'side'}, el('span', {class: 'note', text: '新版本（他人保存）'}), el('pre', {text: shown(a.theirs)})),
        el('div', {class: 'side'}, el('span', {class: 'note', text: '您填写'}), el('pre', {text: shown(a.mine)})))));
  }
  $('conflict').hidden = false;
  $('save-note').textContent = '未保存：报告已有更新的版本（' + v.version.slice(0, 8) + '），其他修改已合并，' + asks.length + ' 处两人都改了，请选择。';
}

/// The conflict settled: the merge, with the fields both changed taken from `side`.
async function settle(side) {
  const c = S.conflict;
  for (const a of c.asks) a.set(side === 'mine' ? a.mine : a.theirs);
  S.conflict = null;
  $('conflict').hidden = true;
  S.form = c.merged;
  S.base = JSON.parse(JSON.stringify(c.newer.form));
  S.version = c.version;
  draw(await grids(S.edition));
  await save();
}

async function history() {
  const r = await api('GET', '/api/reports/' + encodeURIComponent(S.id) + '/history');
  const list = await json(r);
  const ol = $('history-list');
  ol.replaceChildren();
  for (const h of list.slice().reverse()) {
    const when = new Date(h.at * 1000).toLocaleString('zh-CN');
    const who = h.who === 'disk' ? '文件（直接修改）' : h.who === 'admin' ? '办公室' : h.who.replace(/^unit:/, '单位 ');
    ol.append(el('li', {'data-version': h.version},
      el('span', {text: when + ' · ' + who + ' · ' + h.version.slice(0, 8) + (h.version === S.version ? '（当前）' : '')}), ' ',
      h.version === S.version ? null : el('button', {type: 'button', class: 'link', onclick: () => restore(h.version), text: '载入此版本'}),
      el('a', {href: '/api/reports/' + encodeURIComponent(S.id) + '/history/' + h.version, text: 'YAML'})));
  }
  $('history').hidden = false;
}

async function restore(version) {
  if (S.dirty && !confirm('表单中有未保存的修改，载入旧版本会替换它们。继续吗？')) return;
  const r = await api('GET', '/api/reports/' + encodeURIComponent(S.id) + '/history/' + version + '/form');
  const v = await json(r);
  if (!r.ok) { alert(v.message || r.status); return; }
  const current = S.version;
  await load(v, current);
  $('draft').hidden = true;
  changed();
  $('save-note').textContent = '已载入版本 ' + version.slice(0, 8) + '，保存后即恢复为这一版本。';
}

// ---------------------------------------------------------------- preview

async function preview() {
  $('preview-pane').hidden = false;
  document.querySelector('.panes').classList.add('with-preview');
  // On a narrow screen the pane covers the page (CSS); its close button takes the focus.
  if (matchMedia('(max-width: 900px)').matches) $('close-preview').focus();
  $('preview-note').textContent = '正在生成……';
  const r = await api('POST', '/api/reports/' + encodeURIComponent(S.id) + '/form/preview', {edition: S.edition, form: S.form});
  if (!r.ok) {
    const v = await json(r);
    $('preview-note').textContent = r.status === 422 ? '报告有错误，改正后才能预览。' : (v.message || ('预览失败 ' + r.status));
    return;
  }
  const blob = await r.blob();
  const frame = $('preview');
  if (frame.dataset.url) URL.revokeObjectURL(frame.dataset.url);
  frame.dataset.url = URL.createObjectURL(blob);
  frame.src = frame.dataset.url;
  // A browser without a PDF viewer shows nothing in the frame: the link opens the file.
  $('preview-note').replaceChildren('预览的是表单中当前的内容（' + Math.round(blob.size / 1024) + ' KB），',
    el('a', {href: frame.dataset.url, target: '_blank', rel: 'noopener', text: '在新窗口打开'}), '。');
}

// ---------------------------------------------------------------- the filing (提交, 审核, 发布)

/// The open report's state, the office's comment, the deadline and the steps that apply; a
/// submitted, approved or published report is shown read-only.
async function filing() {
  const r = await api('GET', '/api/reports/' + encodeURIComponent(S.id) + '/filing');
  const f = await json(r);
  if (!r.ok) return;
  S.filing = f;
  const office = S.role === 'office';
  $('state').className = 'badge state ' + f.state;
  $('state').textContent = f.state_zh;
  const dl = f.deadline;
  $('deadline-line').textContent = dl ? '报送截止：' + dl.deadline_zh + (f.locked ? '' : '（' + daysText(dl.days_left) + '）') : '';
  $('returned').hidden = !(f.state === 'returned' && f.comment);
  $('returned-comment').textContent = f.comment || '';
  const lockedText = {submitted: '报告已提交，等待办公室审核，内容不能修改。', approved: '报告已通过审核，内容不能修改。', published: '报告已发布，内容不能修改；如需更正，须由办公室撤回发布。'}[f.state];
  $('locked-note').hidden = !lockedText;
  $('locked-note').textContent = lockedText || '';
  $('submit-report').hidden = f.locked;
  $('approve').hidden = !(office && f.state === 'submitted');
  $('publish').hidden = !(office && f.state === 'approved');
  $('send-back').hidden = !(office && (f.state === 'submitted' || f.state === 'approved'));
  $('withdraw').hidden = !(office && f.state === 'published');
  $('comment-box').hidden = $('send-back').hidden && $('withdraw').hidden;
  $('comment-label').textContent = f.state === 'published' ? '撤回发布的理由' : '退回意见（单位填报人会在表单顶部看到）';
  const pubs = (f.publications || []);
  const live = pubs.filter((p) => !p.withdrawn_at).pop();
  const pub = $('published');
  pub.hidden = !pubs.length;
  pub.replaceChildren();
  if (live) {
    const base = '/api/reports/' + encodeURIComponent(S.id) + '/published/' + live.seq + '/';
    pub.append('已发布（' + chinaTime(live.at) + '）：',
      ...[['report.pdf', 'PDF'], ['report.docx', 'DOCX'], ['report.html', '网页'], ['fragment.html', '网页片段']]
        .flatMap(([n, t]) => [' ', el('a', {href: base + n, onclick: download, text: t})]));
  }
  for (const p of pubs.filter((x) => x.withdrawn_at)) {
    pub.append(el('span', {class: 'withdrawn', text: ' 曾于 ' + chinaTime(p.at) + ' 发布，' + chinaTime(p.withdrawn_at) + ' 撤回，理由：' + (p.reason || '')}));
  }
  lock(f.locked);
  reviewBar();
}

/// The form read-only (or editable again): every field and the buttons that change it.
function lock(locked) {
  S.locked = locked;
  for (const e of document.querySelectorAll('#report input, #report textarea, #report button, #report select')) e.disabled = locked;
  $('save').hidden = locked;
}

/// A step of the filing: `submit`, `approve`, `return`, `publish` or `withdraw`.
async function step(action) {
  const note = $('filing-note');
  if (action === 'submit' && S.dirty) {
    await save();
    if (S.dirty) { note.textContent = '未提交：请先保存。'; return; }
  }
  const body = action === 'return' || action === 'withdraw' ? {comment: $('comment').value} : {};
  note.textContent = action === 'publish' ? '正在生成发布文件……' : '正在提交……';
  const r = await api('POST', '/api/reports/' + encodeURIComponent(S.id) + '/' + action, body);
  const v = await json(r);
  if (!r.ok) { note.textContent = (action === 'submit' && r.status === 422 ? '未提交：' : '未完成：') + (v.message || r.status); return; }
  $('comment').value = '';
  note.textContent = {submit: '已提交，等待办公室审核。', approve: '已通过审核。', return: '已退回，单位会看到意见。', publish: '已发布，发布文件已生成并冻结。', withdraw: '已撤回发布，报告退回单位修改。'}[action];
  await filing();
  if (S.review && (action === 'approve' || action === 'return')) {
    S.review.done++;
    $('review-pos').textContent = reviewText() + '；本份已处理。';
  }
}

// The review queue (全部审核): the submitted reports, one by one.
function reviewText() {
  const q = S.review;
  return '审核第 ' + (q.at + 1) + ' / ' + q.ids.length + ' 份';
}

function reviewBar() {
  const q = S.review;
  $('review-bar').hidden = !q;
  if (!q) return;
  $('review-pos').textContent = reviewText();
  $('review-next').textContent = q.at + 1 < q.ids.length ? '下一份' : '完成';
}

async function reviewAll() {
  const r = await api('GET', '/api/dashboard?state=submitted&sort=folder&limit=1000' + (S.year ? '&year=' + S.year : ''));
  const v = await json(r);
  const ids = (v.rows || []).map((x) => x.id);
  if (!ids.length) { $('review-note').textContent = '没有待审核的报告。'; return; }
  S.review = {ids, at: 0, done: 0};
  await open(ids[0]);
}

async function reviewNext() {
  const q = S.review;
  if (!q) return;
  if (q.at + 1 >= q.ids.length) {
    S.review = null;
    await list();
    $('review-note').textContent = '本轮审核结束，处理了 ' + q.done + ' 份。';
    return;
  }
  q.at++;
  await open(q.ids[q.at]);
}

// ---------------------------------------------------------------- the office

async function reissue(id) {
  if (!confirm('生成新的登录链接后，该单位旧的链接立即失效。继续吗？')) return;
  const r = await api('PUT', '/api/tokens/' + encodeURIComponent(id));
  const v = await json(r);
  const note = $('new-unit-result');
  note.hidden = false;
  note.textContent = r.ok ? '新的登录链接（只显示这一次）：' + location.origin + v.link : (v.message || r.status);
}

const BATCH_STATUS = {rendered: '已生成', failed: '未生成（有错误）', unchanged: '未变', interrupted: '中断', skipped: '跳过'};

/// The batch's or the audit's result, per unit, collapsed: the unit's name, the result, the
/// counts; opened, its messages in the form's words and a button to open the unit.
async function officeAction(method, url, title) {
  const out = $('office-result');
  out.replaceChildren(el('p', {text: title + '：正在运行……'}));
  const r = await api(method, url);
  const v = await json(r);
  if (!r.ok) { out.replaceChildren(el('p', {class: 'error', text: v.message || String(r.status)})); return; }
  const rows = Array.isArray(v) ? v : v.units;
  // The messages name their fields as the form does: the grids of the default edition.
  if (!S.edition) {
    const g = await json(await api('GET', '/api/format'));
    if (g.edition) { S.edition = g.edition; S.grids[g.edition] = g; }
  }
  const zip = v.download ? el('p', {}, el('a', {class: 'button', href: v.download, text: '下载全部生成结果（ZIP）'})) : null;
  const unit = (u) => {
    const diags = (u.diagnostics || []).filter((d) => typeof d === 'object');
    const errors = diags.filter((d) => d.severity === 'error').length;
    const warnings = diags.filter((d) => d.severity === 'warning').length;
    const result = u.status ? (BATCH_STATUS[u.status] || '') : (errors ? '有错误' : '无错误');
    const head = (u.unit || u.file) + ' — ' + result + '，错误 ' + errors + ' 处，警告 ' + warnings + ' 处';
    return el('details', {class: errors ? 'unit-result bad-unit' : 'unit-result'},
      el('summary', {text: head}),
      diags.length ? el('ul', {}, diags.slice(0, 30).map((d) => el('li', {class: d.severity === 'error' ? 'msg-error' : 'msg-warning', text: (d.severity === 'error' ? '错误：' : '警告：') + describe(d)}))) : el('p', {text: '没有问题。'}),
      diags.length > 30 ? el('p', {class: 'note', text: '另有 ' + (diags.length - 30) + ' 处，打开单位查看。'}) : null,
      u.id ? el('button', {type: 'button', onclick: () => open(u.id), text: '打开该单位'}) : null);
  };
  const failed = rows.filter((u) => (u.diagnostics || []).some((d) => d && d.severity === 'error')).length;
  out.replaceChildren(el('h3', {text: title}),
    el('p', {text: '共 ' + rows.length + ' 个单位，其中 ' + failed + ' 个有错误。'}),
    ...(zip ? [zip] : []), ...rows.map(unit));
}

/// The 汇总表's scope: the units it sums and those left out with why; then the downloads.
async function summaryPlan(ev) {
  ev.preventDefault();
  const name = String(new FormData($('summary-form')).get('office') || '').trim();
  const box = $('summary-plan');
  const r = await api('GET', '/api/summary?format=json' + (S.year ? '&year=' + S.year : ''));
  const v = await json(r);
  if (!r.ok) { box.replaceChildren(el('p', {class: 'error', text: v.message || String(r.status)})); return; }
  const q = 'year=' + v.year + '&office=' + encodeURIComponent(name);
  box.replaceChildren(
    el('p', {text: v.year + '年度汇总表合计已通过审核或已发布的 ' + v.units.length + ' 个单位：' + v.units.map((u) => u.unit).join('、')}),
    v.left_out.length ? el('details', {open: true}, el('summary', {text: '未纳入汇总的 ' + v.left_out.length + ' 个单位'}),
      el('ul', {}, v.left_out.map((u) => el('li', {text: u.unit + '：' + u.why})))) : null,
    v.units.length ? el('p', {class: 'actions'},
      el('a', {class: 'button', href: '/api/summary?format=pdf&' + q, onclick: download, text: '下载汇总表 PDF'}),
      el('a', {class: 'button', href: '/api/summary?format=csv&' + q, onclick: download, text: '下载汇总数字 CSV'})) : el('p', {class: 'note', text: '还没有可汇总的报告。'}));
}

async function remindText() {
  const r = await api('GET', '/api/reminders?format=text' + (S.year ? '&year=' + S.year : '') + ($('f-folder').value ? '&folder=' + encodeURIComponent($('f-folder').value) : ''));
  const out = /** @type {HTMLTextAreaElement} */ ($('remind-out'));
  out.hidden = false;
  out.value = r.ok ? await r.text() : '生成失败：' + r.status;
  out.select();
}

async function setDeadline(ev) {
  ev.preventDefault();
  const due = $('deadline-input').value;
  const r = await api('PUT', '/api/deadline', {year: S.year, deadline: due});
  const v = await json(r);
  $('deadline-note').textContent = r.ok ? '已设定：' + v.deadline_zh : (v.message || String(r.status));
  if (r.ok) dashboard();
}

async function showLog() {
  const out = $('office-result');
  const r = await api('GET', '/api/log?limit=200');
  const rows = await json(r);
  if (!r.ok) { out.replaceChildren(el('p', {class: 'error', text: rows.message || String(r.status)})); return; }
  const head = el('tr', {}, ['时间', '操作者', '操作', '对象', '详情'].map((t) => el('th', {scope: 'col', text: t})));
  out.replaceChildren(el('h3', {text: '操作记录（最近 200 条）'}),
    el('div', {class: 'scroll-box', role: 'region', tabindex: 0, 'aria-label': '操作记录'},
      el('table', {class: 'list'}, el('thead', {}, head), el('tbody', {}, rows.map((e) => el('tr', {},
        el('td', {text: e.time}), el('td', {text: e.who_zh}), el('td', {text: e.action_zh}),
        el('td', {text: e.target}), el('td', {text: e.detail})))))));
}

// ---------------------------------------------------------------- wiring

document.addEventListener('DOMContentLoaded', () => {
  $('save').addEventListener('click', save);
  // Enter in a field never submits the page away (and what was typed with it).
  $('report').addEventListener('submit', (ev) => ev.preventDefault());
  $('show-history').addEventListener('click', () => ($('history').hidden ? history() : ($('history').hidden = true)));
  $('show-preview').addEventListener('click', preview);
  $('dl-current').addEventListener('click', downloadCurrent);
  $('close-preview').addEventListener('click', () => {
    $('preview-pane').hidden = true;
    document.querySelector('.panes').classList.remove('with-preview');
  });
  $('next-error').addEventListener('click', nextError);
  $('show-details').addEventListener('change', (ev) => document.body.classList.toggle('details', ev.target.checked));
  $('keep-mine').addEventListener('click', () => settle('mine'));
  $('take-theirs').addEventListener('click', () => settle('theirs'));
  $('to-list').addEventListener('click', () => { if (!S.dirty || confirm('有未保存的修改，仍要离开吗？')) list(); });
  $('logout').addEventListener('click', async () => { await api('POST', '/api/logout'); location.replace('/'); });
  $('run-batch').addEventListener('click', () => officeAction('POST', '/api/batch', '批量生成'));
  $('run-audit').addEventListener('click', () => officeAction('GET', '/api/audit', '检查'));
  $('show-log').addEventListener('click', showLog);
  $('submit-report').addEventListener('click', () => step('submit'));
  $('approve').addEventListener('click', () => step('approve'));
  $('send-back').addEventListener('click', () => step('return'));
  $('publish').addEventListener('click', () => step('publish'));
  $('withdraw').addEventListener('click', () => step('withdraw'));
  $('review-all').addEventListener('click', reviewAll);
  $('review-next').addEventListener('click', reviewNext);
  $('review-stop').addEventListener('click', () => { S.review = null; list(); });
  $('filters').addEventListener('change', () => { S.page = 0; dashboard(); });
  $('filters').addEventListener('submit', (ev) => ev.preventDefault());
  $('prev-page').addEventListener('click', () => { S.page = Math.max(0, S.page - 1); dashboard(); });
  $('next-page').addEventListener('click', () => { S.page++; dashboard(); });
  $('remind-text').addEventListener('click', remindText);
  $('remind-csv').addEventListener('click', download);
  $('deadline-form').addEventListener('submit', setDeadline);
  $('summary-form').addEventListener('submit', summaryPlan);
  $('new-unit').addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const f = new FormData(ev.target);
    const r = await api('POST', '/api/units', {file: f.get('file'), unit: f.get('unit'), year: Number(f.get('year'))});
    const v = await json(r);
    const note = $('new-unit-result');
    note.hidden = false;
    note.textContent = r.ok ? '已新建 ' + v.file + '。登录链接（只显示这一次，请发给该单位）：' + location.origin + v.link : (v.message || r.status);
    if (r.ok) list();
  });
  window.addEventListener('beforeunload', (ev) => { if (S.dirty) ev.preventDefault(); });
  start();
});
