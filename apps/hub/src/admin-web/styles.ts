/**
 * @module admin-web/styles
 * The admin page's stylesheet, served as /admin/app.css (the CSP allows
 * styles from 'self' only, so nothing is inline). Plain CSS, no framework.
 */
export const ADMIN_CSS = `
:root { --fg: #1d2433; --muted: #5d6779; --line: #dde2ea; --bg: #f5f7fa; --card: #fff; --accent: #2456c7; --bad: #b42318; --ok: #177245; --warn: #a15c00; }
* { box-sizing: border-box; }
body { margin: 0; font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: var(--fg); background: var(--bg); }
header.top { display: flex; align-items: center; gap: 16px; padding: 10px 20px; background: #14213d; color: #fff; }
header.top .brand { font-weight: 600; letter-spacing: .02em; }
header.top nav { display: flex; gap: 4px; flex: 1; flex-wrap: wrap; }
header.top nav a { color: #cfd8ea; text-decoration: none; padding: 5px 10px; border-radius: 4px; }
header.top nav a.on, header.top nav a:hover { background: #2a3a5e; color: #fff; }
header.top #who { color: #cfd8ea; font-size: 13px; }
main { padding: 20px; max-width: 1400px; margin: 0 auto; }
h1 { font-size: 20px; margin: 0 0 14px; }
h2 { font-size: 15px; margin: 18px 0 8px; }
.card { background: var(--card); border: 1px solid var(--line); border-radius: 6px; padding: 16px; margin-bottom: 16px; }
.signin { max-width: 360px; margin: 60px auto; }
.signin label { display: block; margin: 10px 0 4px; color: var(--muted); }
.signin input { width: 100%; }
input, select, button { font: inherit; padding: 5px 8px; border: 1px solid #b9c2d0; border-radius: 4px; background: #fff; color: var(--fg); }
button { cursor: pointer; background: #eef2f8; }
button.primary { background: var(--accent); border-color: var(--accent); color: #fff; }
button.danger { color: var(--bad); border-color: #e3a59f; }
button:disabled { opacity: .5; cursor: default; }
.filters { display: flex; flex-wrap: wrap; gap: 8px; align-items: center; margin-bottom: 12px; }
table { width: 100%; border-collapse: collapse; background: var(--card); }
th, td { text-align: left; padding: 6px 8px; border-bottom: 1px solid var(--line); vertical-align: top; }
th { font-weight: 600; color: var(--muted); font-size: 12px; text-transform: uppercase; letter-spacing: .03em; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
td .sub { color: var(--muted); font-size: 12px; }
td > .mono { display: block; word-break: break-all; }
button { white-space: nowrap; }
.scroll { overflow-x: auto; }
.mono { font-family: ui-monospace, SFMono-Regular, Menlo, monospace; font-size: 12px; }
.badge { display: inline-block; padding: 1px 7px; border-radius: 10px; font-size: 12px; background: #e8ecf3; }
.badge.ok { background: #dcf3e5; color: var(--ok); }
.badge.bad { background: #fde4e1; color: var(--bad); }
.badge.warn { background: #fff0d6; color: var(--warn); }
.row-actions { display: flex; gap: 6px; flex-wrap: wrap; }
.pager { display: flex; gap: 8px; align-items: center; margin-top: 10px; color: var(--muted); }
.msg { padding: 8px 12px; border-radius: 4px; margin-bottom: 12px; }
.msg.error { background: #fde4e1; color: var(--bad); }
.msg.info { background: #e3ecfb; color: #1b3f8f; }
.msg.ok { background: #dcf3e5; color: var(--ok); }
.denied { max-width: 480px; margin: 80px auto; text-align: center; }
.chart { width: 100%; max-width: 880px; height: auto; display: block; }
.chart text { font-size: 11px; fill: var(--muted); }
.chart .bar { fill: var(--accent); }
.chart .bar2 { fill: #7fa3e8; }
.chart .axis { stroke: var(--line); }
.legend { display: flex; gap: 14px; font-size: 12px; color: var(--muted); margin: 4px 0 8px; }
.legend i { display: inline-block; width: 10px; height: 10px; margin-right: 4px; background: var(--accent); }
.legend i.b2 { background: #7fa3e8; }
.feats label { margin-right: 8px; white-space: nowrap; font-size: 12px; }
ul.deliveries { margin: 0; padding-left: 16px; font-size: 12px; }
.verdict { font-weight: 600; }
`;
