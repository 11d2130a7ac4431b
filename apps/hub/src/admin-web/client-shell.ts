/**
 * @module admin-web/client-shell
 * Last part of /admin/app.js: sign-in, the "not an administrator" screen,
 * sign-out, navigation and error handling. A signed-in account without the
 * ADMIN flag gets the refusal screen only: its session is logged out at once
 * and no admin page is ever rendered for it (the API refuses it anyway).
 */
export const CLIENT_SHELL = String.raw`
var main = document.getElementById('main');
var nav = document.getElementById('nav');
var who = document.getElementById('who');
var signout = document.getElementById('signout');

function chrome(on) {
  nav.hidden = !on; signout.hidden = !on;
  who.textContent = on && session ? session.account.email : '';
}

function showSignIn(note) {
  chrome(false);
  var email = h('input', { type: 'email', id: 'email', name: 'email', autocomplete: 'username', required: true });
  var password = h('input', { type: 'password', id: 'password', name: 'password', autocomplete: 'current-password', required: true });
  var btn = h('button', { type: 'submit', class: 'primary', text: 'Sign in' });
  var form = h('form', { class: 'card signin', onsubmit: async function (ev) {
    ev.preventDefault();
    btn.disabled = true;
    try {
      var res = await fetch('/v1/auth/login', { method: 'POST', credentials: 'omit', cache: 'no-store', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: email.value.trim(), password: password.value }) });
      var data = await res.json().catch(function () { return null; });
      if (!res.ok) { flash(form, 'error', (data && data.error && data.error.message) || 'sign-in failed'); return; }
      save({ accessToken: data.accessToken, accessTokenExpiresAt: data.accessTokenExpiresAt, refreshToken: data.refreshToken, account: data.account });
      // replaceState, not location.hash: a hashchange would route a second time.
      if (location.hash === '' || location.hash === '#') history.replaceState(null, '', '#accounts');
      route();
    } catch (err) {
      flash(form, 'error', 'the hub did not answer: ' + err.message);
    } finally { btn.disabled = false; }
  } },
  h('h1', { text: 'Sign in' }),
  h('p', { class: 'sub', text: 'Administrators of this hub only.' }),
  h('label', { for: 'email', text: 'Email' }), email,
  h('label', { for: 'password', text: 'Password' }), password,
  h('p', null, btn));
  if (note) flash(form, 'info', note);
  main.replaceChildren(form);
  email.focus();
}

async function logout() {
  var s0 = session;
  save(null);
  if (s0) await fetch('/v1/auth/logout', { method: 'POST', credentials: 'omit', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ refreshToken: s0.refreshToken }) }).catch(function () {});
}

function showDenied(email) {
  chrome(false);
  main.replaceChildren(h('div', { class: 'card denied', role: 'alert' },
    h('h1', { text: 'Not an administrator' }),
    h('p', { text: (email || 'This account') + ' is not an administrator of this hub. The admin page is for administrators only.' }),
    h('button', { type: 'button', onclick: function () { showSignIn(); } }, 'Sign in as someone else')));
}

function fail(err, view) {
  if (err instanceof ApiError && err.status === 401) { save(null); showSignIn('Your session has ended; sign in again.'); return; }
  if (err instanceof ApiError && err.status === 403 && err.code === 'FORBIDDEN') {
    var email = session && session.account.email;
    logout(); showDenied(email); return;
  }
  flash(view, 'error', (err && err.code ? err.code + ': ' : '') + (err && err.message || String(err)));
}

function route() {
  if (!session) { showSignIn(); return; }
  if (!isAdmin(session.account)) { var email = session.account.email; logout(); showDenied(email); return; }
  var name = location.hash.slice(1);
  if (!PAGES[name]) name = 'accounts';
  chrome(true);
  nav.replaceChildren.apply(nav, Object.keys(PAGES).map(function (k) {
    return h('a', { href: '#' + k, class: k === name ? 'on' : null, 'aria-current': k === name ? 'page' : null, text: PAGES[k].title });
  }));
  var view = h('section', { 'data-page': name });
  main.replaceChildren(h('h1', { text: PAGES[name].title }), view);
  PAGES[name].render(view).catch(function (err) { fail(err, view); });
}

signout.addEventListener('click', function () { logout().then(function () { showSignIn('Signed out.'); }); });
window.addEventListener('hashchange', route);
route();
`;
