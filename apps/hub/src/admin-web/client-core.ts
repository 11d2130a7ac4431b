/**
 * @module admin-web/client-core
 * First half of /admin/app.js (browser code, kept as a string so the hub
 * serves it on Node and on Workers without a filesystem): DOM and format
 * helpers, the session, the API client, tables, keyset pagers and SVG
 * charts. The string must not contain backticks or dollar-brace pairs.
 *
 * CSRF-safe by construction: the access token lives in sessionStorage and
 * travels only in an Authorization header set by this script; the hub sets
 * no cookies and every fetch says `credentials: 'omit'`, so another site
 * cannot make the browser send an authenticated request. A refresh token is
 * single-use, so refreshes are single-flight (a second concurrent refresh
 * would look like token theft and revoke the session).
 */
export const CLIENT_CORE = String.raw`
var KEY = 'dme.admin.session';
var SVG = 'http://www.w3.org/2000/svg';
var session = null;
try { session = JSON.parse(sessionStorage.getItem(KEY) || 'null'); } catch (e) { session = null; }
function save(s) {
  session = s;
  if (s) sessionStorage.setItem(KEY, JSON.stringify(s)); else sessionStorage.removeItem(KEY);
}
function isAdmin(account) { return !!account && account.features.indexOf('ADMIN') >= 0; }

function add(el, c) {
  if (c === null || c === undefined || c === false) return;
  if (Array.isArray(c)) { c.forEach(function (x) { add(el, x); }); return; }
  el.appendChild(typeof c === 'object' ? c : document.createTextNode(String(c)));
}
function build(el, attrs, kids) {
  if (attrs) Object.keys(attrs).forEach(function (k) {
    var v = attrs[k];
    if (v === null || v === undefined || v === false) return;
    if (k.slice(0, 2) === 'on') el.addEventListener(k.slice(2), v);
    else if (k === 'text') el.textContent = v;
    else el.setAttribute(k, v === true ? '' : String(v));
  });
  add(el, kids);
  return el;
}
function h(tag, attrs) { return build(document.createElement(tag), attrs, Array.prototype.slice.call(arguments, 2)); }
function s(tag, attrs) { return build(document.createElementNS(SVG, tag), attrs, Array.prototype.slice.call(arguments, 2)); }
function select(attrs, options, current) {
  return h('select', attrs, options.map(function (o) {
    return h('option', { value: o[0], selected: o[0] === current, text: o[1] });
  }));
}
function choices(all, anyLabel) { return [['', anyLabel]].concat(all.map(function (x) { return [x, x]; })); }
function qs(o) {
  var p = new URLSearchParams();
  Object.keys(o).forEach(function (k) { if (o[k] !== null && o[k] !== undefined && o[k] !== '') p.set(k, String(o[k])); });
  var t = p.toString();
  return t ? '?' + t : '';
}

function fmtTime(t) { return t ? t.slice(0, 16).replace('T', ' ') : '—'; }
function fmtBytes(n) {
  var u = ['B', 'KB', 'MB', 'GB', 'TB'], i = 0;
  while (n >= 1024 && i < u.length - 1) { n /= 1024; i++; }
  return (i === 0 ? String(n) : n.toFixed(n < 10 ? 1 : 0)) + ' ' + u[i];
}
function fmtDur(sec) {
  if (sec === null || sec === undefined) return '—';
  var d = Math.floor(sec / 86400), hr = Math.floor(sec % 86400 / 3600), m = Math.floor(sec % 3600 / 60);
  var out = [];
  if (d) out.push(d + 'd'); if (hr) out.push(hr + 'h'); if (m && !d) out.push(m + 'm');
  return out.length ? out.join(' ') : sec + 's';
}
function pct(x) { return x === null || x === undefined ? '—' : Math.round(x * 100) + '%'; }
function badge(text, kind) { return h('span', { class: 'badge' + (kind ? ' ' + kind : ''), text: text }); }
function mono(text) { return h('span', { class: 'mono', text: text }); }
function sub(text) { return h('div', { class: 'sub', text: text }); }

function ApiError(status, code, message) { this.status = status; this.code = code; this.message = message; }
ApiError.prototype = Object.create(Error.prototype);

var refreshing = null;
function refreshOnce() {
  if (!refreshing) refreshing = doRefresh().finally(function () { refreshing = null; });
  return refreshing;
}
async function doRefresh() {
  if (!session) return false;
  var res = await fetch('/v1/auth/refresh', { method: 'POST', credentials: 'omit', cache: 'no-store', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ refreshToken: session.refreshToken }) });
  if (!res.ok) { save(null); return false; }
  var t = await res.json();
  save({ accessToken: t.accessToken, accessTokenExpiresAt: t.accessTokenExpiresAt, refreshToken: t.refreshToken, account: t.account || session.account });
  return true;
}
async function api(method, path, body) {
  if (session && Date.parse(session.accessTokenExpiresAt) - Date.now() < 30000) await refreshOnce();
  if (!session) throw new ApiError(401, 'UNAUTHENTICATED', 'signed out');
  var send = function () {
    var headers = { authorization: 'Bearer ' + session.accessToken };
    if (body !== undefined) headers['content-type'] = 'application/json';
    return fetch(path, { method: method, headers: headers, credentials: 'omit', cache: 'no-store', body: body === undefined ? undefined : JSON.stringify(body) });
  };
  var res = await send();
  if (res.status === 401 && await refreshOnce()) res = await send();
  var text = await res.text();
  var data = null;
  try { data = text ? JSON.parse(text) : null; } catch (e) { data = null; }
  if (!res.ok) {
    var e = (data && data.error) || {};
    throw new ApiError(res.status, e.code || 'HTTP_' + res.status, e.message || res.statusText);
  }
  return data;
}

function flash(view, kind, text) {
  var old = view.querySelector(':scope > .msg');
  if (old) old.remove();
  view.insertBefore(h('div', { class: 'msg ' + kind, role: kind === 'error' ? 'alert' : 'status', text: text }), view.firstChild);
}
/** Runs an action from a button: disables it meanwhile, reports the outcome, then refreshes. */
function action(view, btn, run, done) {
  btn.disabled = true;
  return run().then(function (okText) {
    flash(view, 'ok', okText);
    return done && done();
  }, function (err) { fail(err, view); }).finally(function () { btn.disabled = false; });
}

function table(cols, items, rowAttrs) {
  if (!items.length) return h('p', { class: 'sub', text: 'Nothing to show.' });
  return h('div', { class: 'scroll' }, h('table', null,
    h('thead', null, h('tr', null, cols.map(function (c) { return h('th', { class: c.cls, text: c.label }); }))),
    h('tbody', null, items.map(function (it) {
      return h('tr', rowAttrs ? rowAttrs(it) : null, cols.map(function (c) { return h('td', { class: c.cls }, c.cell(it)); }));
    }))));
}

/** Keyset paging: remembers the cursors of earlier pages so Previous works. */
function pager(box, fetchPage, render) {
  var stack = [], cursor = null, n = 1;
  async function show(c) {
    var page = await fetchPage(c);
    cursor = c;
    box.replaceChildren(render(page.items), h('div', { class: 'pager' },
      h('button', { type: 'button', 'data-testid': 'prev', disabled: stack.length === 0, onclick: function () { n--; show(stack.pop()).catch(function (e) { fail(e, box); }); } }, 'Previous'),
      h('span', { text: 'Page ' + n + ' · ' + page.items.length + ' rows' }),
      h('button', { type: 'button', 'data-testid': 'next', disabled: !page.nextCursor, onclick: function () { stack.push(cursor); n++; show(page.nextCursor).catch(function (e) { fail(e, box); }); } }, 'Next')));
  }
  return {
    reload: function () { stack = []; n = 1; return show(null); },
    refresh: function () { return show(cursor); },
  };
}

/** Vertical grouped bar chart as inline SVG; values of each series share one scale. */
function barChart(labels, series, opts) {
  var W = 820, H = 250, L = 70, B = 78, T = 12, plotW = W - L - 10, plotH = H - B - T;
  var max = opts.max || Math.max.apply(null, [1].concat(series.reduce(function (a, sr) { return a.concat(sr.values); }, [])));
  var svg = s('svg', { class: 'chart', viewBox: '0 0 ' + W + ' ' + H, role: 'img', 'aria-label': opts.title });
  svg.appendChild(s('title', { text: opts.title }));
  [0, 0.5, 1].forEach(function (f) {
    var y = T + plotH - f * plotH;
    svg.appendChild(s('line', { class: 'axis', x1: L, x2: W - 10, y1: y, y2: y }));
    svg.appendChild(s('text', { x: L - 6, y: y + 4, 'text-anchor': 'end', text: opts.fmt(max * f) }));
  });
  var slot = plotW / Math.max(labels.length, 1), bw = Math.min(40, slot * 0.8 / series.length);
  labels.forEach(function (label, i) {
    var x0 = L + i * slot + (slot - bw * series.length) / 2;
    series.forEach(function (sr, j) {
      var v = sr.values[i] || 0, bh = Math.max(v > 0 ? 1 : 0, v / max * plotH);
      svg.appendChild(s('rect', { class: sr.cls, x: x0 + j * bw, y: T + plotH - bh, width: bw - 2, height: bh },
        s('title', { text: label + ' · ' + sr.name + ': ' + opts.fmt(v) })));
    });
    var short = label.length > 18 ? label.slice(0, 17) + '…' : label;
    var lx = L + i * slot + slot / 2, ly = T + plotH + 14;
    svg.appendChild(s('text', { x: lx, y: ly, 'text-anchor': 'end', transform: 'rotate(-25 ' + lx + ' ' + ly + ')', text: short }));
  });
  return h('div', null,
    h('div', { class: 'legend' }, series.map(function (sr) { return h('span', null, h('i', { class: sr.cls === 'bar' ? '' : 'b2' }), sr.name); })),
    svg);
}
`;
