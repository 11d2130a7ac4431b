/**
 * @module admin-web/client-insight
 * Part of /admin/app.js: the pages that report — Usage (per account, dataset
 * and month, with a chart), Freshness (per dataset, with a chart) and Audit
 * (filter, verify the chain) — and the page registry the shell routes by.
 */
export const CLIENT_INSIGHT = String.raw`
async function pageUsage(view) {
  var month = h('input', { type: 'month', id: 'use-month', 'aria-label': 'Month', value: new Date().toISOString().slice(0, 7) });
  var account = h('input', { type: 'text', id: 'use-account', placeholder: 'account id', 'aria-label': 'Account id' });
  var dataset = h('input', { type: 'text', id: 'use-dataset', placeholder: 'dataset id', 'aria-label': 'Dataset id' });
  var by = select({ id: 'use-by', 'aria-label': 'Chart by' }, [['accountId', 'by account'], ['datasetId', 'by dataset'], ['month', 'by month']], 'accountId');
  var box = h('div');
  async function load() {
    var r = await api('GET', '/v1/admin/usage' + qs({ month: month.value, accountId: account.value.trim(), datasetId: dataset.value.trim(), limit: 1000 }));
    var totals = {};
    r.items.forEach(function (x) {
      if (x.kind !== 'download') return;
      var k = x[by.value], t = totals[k] || (totals[k] = { bytes: 0, count: 0 });
      t.bytes += x.bytes; t.count += x.count;
    });
    var keys = Object.keys(totals).sort(function (a, b) { return totals[b].bytes - totals[a].bytes; }).slice(0, 12);
    var chart = keys.length
      ? barChart(keys, [{ name: 'bytes downloaded', cls: 'bar', values: keys.map(function (k) { return totals[k].bytes; }) }], { title: 'Downloaded bytes ' + by.options[by.selectedIndex].text, fmt: fmtBytes })
      : h('p', { class: 'sub', text: 'No downloads in this selection.' });
    box.replaceChildren(h('div', { class: 'card' }, h('h2', { text: 'Downloads ' + by.options[by.selectedIndex].text + (keys.length === 12 ? ' (top 12)' : '') }), chart),
      table([
        { label: 'Month', cell: function (x) { return x.month; } },
        { label: 'Account', cell: function (x) { return mono(x.accountId); } },
        { label: 'Dataset', cell: function (x) { return mono(x.datasetId); } },
        { label: 'Kind', cell: function (x) { return badge(x.kind, x.kind === 'download' ? 'ok' : ''); } },
        { label: 'Count', cls: 'num', cell: function (x) { return String(x.count); } },
        { label: 'Bytes', cls: 'num', cell: function (x) { return fmtBytes(x.bytes); } },
      ], r.items),
      h('p', { class: 'sub', text: r.items.length === 1000 ? 'Showing the first 1,000 rows; narrow the selection.' : r.items.length + ' rows' }));
  }
  view.append(h('form', { class: 'filters', onsubmit: function (ev) { ev.preventDefault(); load().catch(function (e) { fail(e, view); }); } },
    month, account, dataset, by, h('button', { type: 'submit', class: 'primary', text: 'Show' })), box);
  by.addEventListener('change', function () { load().catch(function (e) { fail(e, view); }); });
  await load();
}

async function pageFreshness(view) {
  var box = h('div');
  var list = pager(box, function (cursor) {
    return api('GET', '/v1/admin/datasets' + qs({ status: 'PUBLISHED', cursor: cursor, limit: PAGE_SIZE }));
  }, function (items) {
    var scheduled = items.filter(function (d) { return d.freshness.score !== null; });
    var chart = scheduled.length
      ? barChart(scheduled.map(function (d) { return d.name; }), [
          { name: 'freshness score', cls: 'bar', values: scheduled.map(function (d) { return d.freshness.score; }) },
          { name: 'SLA compliance, 30 days (%)', cls: 'bar2', values: scheduled.map(function (d) { return d.freshness.slaCompliance === null ? 0 : Math.round(d.freshness.slaCompliance * 100); }) },
        ], { title: 'Freshness score and 30-day SLA compliance', max: 100, fmt: function (v) { return String(Math.round(v)); } })
      : h('p', { class: 'sub', text: 'No scheduled dataset on this page.' });
    return h('div', null, h('div', { class: 'card' }, h('h2', { text: 'Score and SLA compliance' }), chart), table([
      { label: 'Dataset', cell: function (d) { return [h('strong', { text: d.name }), mono(d.id)]; } },
      { label: 'State', cell: function (d) { return [freshnessBadge(d.freshness), d.freshness.lateSince ? sub('since ' + fmtTime(d.freshness.lateSince)) : null]; } },
      { label: 'Expected every', cell: function (d) { return [fmtDur(d.freshness.expectedUpdateIntervalSeconds), d.freshness.gracePeriodSeconds ? sub('+ ' + fmtDur(d.freshness.gracePeriodSeconds) + ' grace') : null]; } },
      { label: 'Last release', cell: function (d) { return fmtTime(d.freshness.lastReleaseAt); } },
      { label: 'Due by', cell: function (d) { return fmtTime(d.freshness.expectedBy); } },
      { label: 'Score', cls: 'num', cell: function (d) { return d.freshness.score === null ? '—' : String(d.freshness.score); } },
      { label: 'SLA 30 d', cls: 'num', cell: function (d) { return [pct(d.freshness.slaCompliance), sub(d.freshness.intervals30d.met + ' of ' + d.freshness.intervals30d.expected + ' intervals')]; } },
    ], items, function (d) { return { 'data-dataset': d.id }; }));
  });
  view.append(h('p', { class: 'sub', text: 'Published datasets. Score: 100 until due, halving per further interval late. SLA: share of the intervals of the last 30 days that saw a release in time.' }), box);
  await list.reload();
}

var AUDIT_SCAN_PAGES = 10;
async function pageAudit(view) {
  var actor = h('input', { type: 'text', id: 'aud-actor', placeholder: 'actor', 'aria-label': 'Actor' });
  var act = h('input', { type: 'text', id: 'aud-action', placeholder: 'action, e.g. admin.', 'aria-label': 'Action' });
  var subject = h('input', { type: 'text', id: 'aud-subject', placeholder: 'subject id', 'aria-label': 'Subject' });
  var verdict = h('div', { id: 'audit-verdict' });
  var box = h('div');
  function match(e) {
    return (!actor.value || e.actor.indexOf(actor.value.trim()) >= 0) && (!act.value || e.action.indexOf(act.value.trim()) >= 0) && (!subject.value || e.subject.indexOf(subject.value.trim()) >= 0);
  }
  // The API pages by sequence number; filtering scans forward a bounded number of pages per click.
  async function fetchPage(cursor) {
    var after = cursor ? Number(cursor) : 0, found = [], more = false;
    for (var i = 0; i < AUDIT_SCAN_PAGES && found.length < PAGE_SIZE; i++) {
      var r = await api('GET', '/v1/admin/audit' + qs({ after: after, limit: 500 }));
      for (var j = 0; j < r.items.length && found.length < PAGE_SIZE; j++) {
        after = r.items[j].seq;
        if (match(r.items[j])) found.push(r.items[j]);
      }
      more = r.items.length === 500 || j < r.items.length;
      if (!more) break;
    }
    return { items: found, nextCursor: more ? String(after) : null };
  }
  var list = pager(box, fetchPage, function (items) {
    return table([
      { label: 'Seq', cls: 'num', cell: function (e) { return String(e.seq); } },
      { label: 'Time', cell: function (e) { return fmtTime(e.time); } },
      { label: 'Actor', cell: function (e) { return mono(e.actor); } },
      { label: 'Action', cell: function (e) { return e.action; } },
      { label: 'Subject', cell: function (e) { return mono(e.subject); } },
      { label: 'Details', cell: function (e) { var t = JSON.stringify(e.details); return mono(t.length > 120 ? t.slice(0, 119) + '…' : t); } },
      { label: 'Hash', cell: function (e) { return mono(e.hash.slice(0, 12) + '…'); } },
    ], items);
  });
  var verify = h('button', { type: 'button', id: 'audit-verify', text: 'Verify the chain' });
  verify.addEventListener('click', function () {
    verify.disabled = true;
    api('GET', '/v1/admin/audit/verify').then(function (v) {
      verdict.replaceChildren(v.ok
        ? h('div', { class: 'msg ok verdict', text: 'Chain intact: ' + v.entries + ' entries, head ' + v.headHash.slice(0, 16) + '…' })
        : h('div', { class: 'msg error verdict', text: 'Chain BROKEN at entry ' + v.seq + ' (' + v.reason + '), after ' + v.entries + ' good entries' }));
    }, function (e) { fail(e, view); }).finally(function () { verify.disabled = false; });
  });
  view.append(h('form', { class: 'filters', onsubmit: function (ev) { ev.preventDefault(); list.reload().catch(function (e) { fail(e, view); }); } },
    actor, act, subject, h('button', { type: 'submit', class: 'primary', text: 'Filter' }), verify), verdict, box);
  await list.reload();
}

var PAGES = {
  accounts: { title: 'Accounts', render: pageAccounts },
  datasets: { title: 'Datasets', render: pageDatasets },
  subscriptions: { title: 'Subscriptions', render: pageSubscriptions },
  webhooks: { title: 'Webhooks', render: pageWebhooks },
  usage: { title: 'Usage', render: pageUsage },
  freshness: { title: 'Freshness', render: pageFreshness },
  audit: { title: 'Audit', render: pageAudit },
};
`;
