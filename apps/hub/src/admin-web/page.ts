/**
 * @module admin-web/page
 * The admin page's HTML shell, served at /admin. It holds no data and no
 * inline script or style: everything dynamic comes from /admin/app.js after
 * sign-in, so the strict CSP (routes.ts) can forbid inline code.
 */
export const ADMIN_HTML = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>DME hub · admin</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="/admin/app.css">
<script src="/admin/app.js" defer></script>
</head>
<body>
<header class="top">
<span class="brand">DME hub · admin</span>
<nav id="nav" hidden></nav>
<span id="who"></span>
<button id="signout" type="button" hidden>Sign out</button>
</header>
<main id="main"><noscript>The admin page needs JavaScript.</noscript></main>
</body>
</html>
`;
