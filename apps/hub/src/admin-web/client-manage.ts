/**
 * @module admin-web/client-manage
 * Part of /admin/app.js: the pages that change things — Accounts (search,
 * features, tier, suspend/reactivate, revoke API keys), Datasets (suspend,
 * reinstate, archive a listing), Subscriptions (by state) and Webhooks
 * (health, re-enable). Every list is a keyset pager over the admin API.
 */
export const CLIENT_MANAGE = String.raw`
var PAGE_SIZE = 25;

async function pageAccounts(view) {
  var q = h('input', { type: 'search', id: 'acc-q', placeholder: 'email, name or organization', 'aria-label': 'Search' });
  var tier = select({ id: 'acc-tier', 'aria-label': 'Tier' }, choices(DME.tiers, 'Any tier'), '');
  var status = select({ id: 'acc-status', 'aria-label': 'Status' }, choices(DME.accountStatuses, 'Any status'), '');
  var feature = select({ id: 'acc-feature', 'aria-label': 'Feature' }, choices(DME.features, 'Any feature'), '');
  var box = h('div');
  var list = pager(box, function (cursor) {
    return api('GET', '/v1/admin/accounts' + qs({ q: q.value.trim(), tier: tier.value, status: status.value, feature: feature.value, cursor: cursor, limit: PAGE_SIZE }));
  }, function (items) {
    return table([
      { label: 'Account', cell: function (a) { return [h('strong', { text: a.email }), sub(a.displayName + (a.organization ? ' · ' + a.organization : '')), mono(a.id)]; } },
      { label: 'Features', cell: function (a) {
        var boxes = DME.features.map(function (f) { return h('input', { type: 'checkbox', value: f, checked: a.features.indexOf(f) >= 0 }); });
        var btn = h('button', { type: 'button', class: 'save-features', text: 'Save' });
        btn.addEventListener('click', function () {
          var on = boxes.filter(function (b) { return b.checked; }).map(function (b) { return b.value; });
          action(view, btn, function () { return api('PUT', '/v1/admin/accounts/' + a.id + '/features', { features: on }).then(function () { return a.email + ': features ' + (on.join(', ') || 'none'); }); }, list.refresh);
        });
        return h('div', { class: 'feats' }, boxes.map(function (b, i) { return h('label', null, b, ' ' + DME.features[i]); }), btn);
      } },
      { label: 'Tier', cell: function (a) {
        var sel = select({ class: 'tier-select', 'aria-label': 'Tier of ' + a.email }, DME.tiers.map(function (t) { return [t, t]; }), a.tier);
        var btn = h('button', { type: 'button', class: 'save-tier', text: 'Save tier' });
        btn.addEventListener('click', function () {
          action(view, btn, function () { return api('PUT', '/v1/admin/accounts/' + a.id + '/tier', { tier: sel.value }).then(function (r) { return a.email + ' is now ' + r.tier; }); }, list.refresh);
        });
        return h('div', { class: 'row-actions' }, sel, btn);
      } },
      { label: 'Status', cell: function (a) { return badge(a.status, a.status === 'ACTIVE' ? 'ok' : 'bad'); } },
      { label: 'Actions', cell: function (a) {
        var suspend = a.status === 'ACTIVE';
        var b1 = h('button', { type: 'button', class: suspend ? 'danger' : '', text: suspend ? 'Suspend' : 'Reactivate' });
        b1.addEventListener('click', function () {
          if (suspend && !confirm('Suspend ' + a.email + '? Their sessions and API keys stop working at once.')) return;
          action(view, b1, function () { return api('POST', '/v1/admin/accounts/' + a.id + (suspend ? '/suspend' : '/reactivate')).then(function (r) { return a.email + ' is ' + r.status; }); }, list.refresh);
        });
        var b2 = h('button', { type: 'button', class: 'danger', text: 'Revoke API keys' });
        b2.addEventListener('click', function () {
          if (!confirm('Revoke every API key of ' + a.email + '?')) return;
          action(view, b2, function () { return api('POST', '/v1/admin/accounts/' + a.id + '/api-keys/revoke').then(function (r) { return r.revoked + ' API key(s) of ' + a.email + ' revoked'; }); });
        });
        return h('div', { class: 'row-actions' }, b1, b2);
      } },
    ], items, function (a) { return { 'data-account': a.id }; });
  });
  view.append(h('form', { class: 'filters', onsubmit: function (ev) { ev.preventDefault(); list.reload().catch(function (e) { fail(e, view); }); } },
    q, tier, status, feature, h('button', { type: 'submit', class: 'primary', text: 'Search' })), box);
  await list.reload();
}

function freshnessBadge(f) {
  return badge(f.state === 'UNSCHEDULED' ? 'no schedule' : f.state === 'LATE' ? 'late' : 'on time', f.state === 'LATE' ? 'bad' : f.state === 'ON_TIME' ? 'ok' : '');
}

async function pageDatasets(view) {
  var status = select({ id: 'ds-status', 'aria-label': 'Status' }, choices(DME.datasetStatuses, 'Any status'), '');
  var box = h('div');
  function move(d, to, btn) {
    if (to !== 'PUBLISHED' && !confirm((to === 'ARCHIVED' ? 'Archive ' : 'Suspend ') + d.name + '?' + (to === 'ARCHIVED' ? ' Live subscriptions are cancelled.' : ''))) return;
    action(view, btn, function () { return api('PUT', '/v1/admin/datasets/' + d.id + '/status', { status: to }).then(function (r) { return d.name + ' is ' + r.status; }); }, list.refresh);
  }
  var list = pager(box, function (cursor) {
    return api('GET', '/v1/admin/datasets' + qs({ status: status.value, cursor: cursor, limit: PAGE_SIZE }));
  }, function (items) {
    return table([
      { label: 'Dataset', cell: function (d) { return [h('strong', { text: d.name }), sub(d.slug), mono(d.id)]; } },
      { label: 'Producer', cell: function (d) { return mono(d.producerId); } },
      { label: 'Status', cell: function (d) { return badge(d.status, d.status === 'PUBLISHED' ? 'ok' : d.status === 'SUSPENDED' ? 'bad' : ''); } },
      { label: 'Freshness', cell: function (d) { return [freshnessBadge(d.freshness), d.freshness.score === null ? null : sub('score ' + d.freshness.score + ' · SLA ' + pct(d.freshness.slaCompliance))]; } },
      { label: 'Last release', cell: function (d) { return fmtTime(d.freshness.lastReleaseAt); } },
      { label: 'Actions', cell: function (d) {
        var out = [];
        if (d.status === 'SUSPENDED') out.push(h('button', { type: 'button', text: 'Reinstate', onclick: function (ev) { move(d, 'PUBLISHED', ev.currentTarget); } }));
        if (d.status === 'PUBLISHED' || d.status === 'DRAFT') out.push(h('button', { type: 'button', class: 'danger', text: 'Suspend', onclick: function (ev) { move(d, 'SUSPENDED', ev.currentTarget); } }));
        if (d.status !== 'ARCHIVED') out.push(h('button', { type: 'button', class: 'danger', text: 'Archive', onclick: function (ev) { move(d, 'ARCHIVED', ev.currentTarget); } }));
        return h('div', { class: 'row-actions' }, out);
      } },
    ], items, function (d) { return { 'data-dataset': d.id }; });
  });
  status.addEventListener('change', function () { list.reload().catch(function (e) { fail(e, view); }); });
  view.append(h('div', { class: 'filters' }, h('label', { for: 'ds-status', text: 'Status' }), status), box);
  await list.reload();
}

async function pageSubscriptions(view) {
  var status = select({ id: 'sub-status', 'aria-label': 'State' }, choices(DME.subscriptionStatuses, 'All states'), '');
  var box = h('div');
  var list = pager(box, function (cursor) {
    return api('GET', '/v1/admin/subscriptions' + qs({ status: status.value, cursor: cursor, limit: PAGE_SIZE }));
  }, function (items) {
    return table([
      { label: 'Subscription', cell: function (x) { return mono(x.id); } },
      { label: 'Dataset', cell: function (x) { return mono(x.datasetId); } },
      { label: 'Consumer', cell: function (x) { return mono(x.consumerId); } },
      { label: 'Producer', cell: function (x) { return mono(x.producerId); } },
      { label: 'State', cell: function (x) { return badge(x.status, x.status === 'active' ? 'ok' : x.status === 'pending' || x.status === 'approved' ? 'warn' : 'bad'); } },
      { label: 'Requested', cell: function (x) { return fmtTime(x.createdAt); } },
      { label: 'Changed', cell: function (x) { return fmtTime(x.updatedAt); } },
    ], items);
  });
  status.addEventListener('change', function () { list.reload().catch(function (e) { fail(e, view); }); });
  view.append(h('div', { class: 'filters' }, h('label', { for: 'sub-status', text: 'State' }), status), box);
  await list.reload();
}

async function pageWebhooks(view) {
  var state = select({ id: 'wh-state', 'aria-label': 'State' }, [['', 'All webhooks'], ['false', 'Disabled'], ['true', 'Enabled']], '');
  var box = h('div');
  var list = pager(box, function (cursor) {
    return api('GET', '/v1/admin/webhooks' + qs({ enabled: state.value, cursor: cursor, limit: PAGE_SIZE }));
  }, function (items) {
    return table([
      { label: 'Account', cell: function (w) { return [h('strong', { text: w.accountEmail }), mono(w.accountId)]; } },
      { label: 'URL', cell: function (w) { return mono(w.url); } },
      { label: 'State', cell: function (w) { return [badge(w.enabled ? 'enabled' : 'disabled', w.enabled ? 'ok' : 'bad'), w.disabledReason ? sub(w.disabledReason) : null]; } },
      { label: 'Failures', cls: 'num', cell: function (w) { return [h('strong', { text: String(w.consecutiveFailures) }), sub('in a row'), sub(w.health.failedDeliveries + ' failed / ' + w.health.succeededDeliveries + ' ok in ' + w.health.windowDays + ' d'), sub(w.health.pendingDeliveries + ' pending')]; } },
      { label: 'Last success', cell: function (w) { return fmtTime(w.health.lastSuccessAt); } },
      { label: 'Last failure', cell: function (w) { return fmtTime(w.health.lastFailureAt); } },
      { label: 'Recent deliveries', cell: function (w) {
        if (!w.recentDeliveries.length) return sub('none');
        return h('ul', { class: 'deliveries' }, w.recentDeliveries.map(function (d) {
          var a = d.lastAttempt;
          return h('li', null, d.type + ' · ', badge(d.status, d.status === 'succeeded' ? 'ok' : d.status === 'failed' ? 'bad' : 'warn'),
            ' · ' + d.attempts + ' attempt(s)' + (a ? ' · ' + (a.responseCode !== null ? 'HTTP ' + a.responseCode : (a.error || 'no answer')) : ''));
        }));
      } },
      { label: '', cell: function (w) {
        if (w.enabled) return null;
        var btn = h('button', { type: 'button', class: 'primary enable-webhook', text: 'Re-enable' });
        btn.addEventListener('click', function () {
          action(view, btn, function () { return api('POST', '/v1/admin/webhooks/' + w.id + '/enable').then(function () { return 'Webhook of ' + w.accountEmail + ' re-enabled; it receives events from now on'; }); }, list.refresh);
        });
        return btn;
      } },
    ], items, function (w) { return { 'data-webhook': w.id }; });
  });
  state.addEventListener('change', function () { list.reload().catch(function (e) { fail(e, view); }); });
  view.append(h('div', { class: 'filters' }, h('label', { for: 'wh-state', text: 'Show' }), state), box);
  await list.reload();
}
`;
