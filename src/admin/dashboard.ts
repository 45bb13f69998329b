// A small read-only status page at the admin root: health, the Ingresses served and their
// problems, and a form for /debug/explain. Server-rendered, no scripts, every value escaped.

import type { AdminState } from './server.ts';

function esc(s: unknown): string {
  return String(s).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

export function dashboardHtml(state: AdminState): string {
  const h = state.health();
  const r = state.result();
  const rows = (r?.ingresses ?? [])
    .map(
      (i) =>
        `<tr class="${i.errors ? 'bad' : ''}"><td>${esc(i.key)}</td><td>${i.ours ? 'yes' : 'no'}</td><td>${esc(i.class)}</td><td>${esc(i.hosts.join(', '))}</td><td>${i.routes}</td><td>${i.errors}</td><td>${i.warnings}</td></tr>`,
    )
    .join('');
  const diags = (r?.diagnostics ?? [])
    .filter((d) => d.severity !== 'info')
    .map((d) => `<tr class="${d.severity === 'error' ? 'bad' : ''}"><td>${esc(d.severity)}</td><td>${esc(`${d.object.kind} ${d.object.namespace ?? ''}/${d.object.name}`)}</td><td>${esc(d.field)}</td><td>${esc(d.reason)}</td><td>${esc(d.message)}</td></tr>`)
    .join('');
  return `<!doctype html><html><head><meta charset="utf-8"><title>sluice</title>
<style>body{font:14px system-ui,sans-serif;margin:2em;max-width:80em}table{border-collapse:collapse;width:100%;margin:1em 0}td,th{border:1px solid #ccc;padding:4px 8px;text-align:left;vertical-align:top}.bad{background:#fee}.ok{color:#070}.no{color:#a00}code{background:#f4f4f4;padding:1px 4px}</style></head><body>
<h1>sluice ${esc(state.version)}</h1>
<p>Status: <b class="${h.ok ? 'ok' : 'no'}">${h.ok ? 'ready' : `not ready (${esc(h.reason)})`}</b>
${r ? ` — table generation ${r.table.generation}, hash <code>${esc(r.table.hash)}</code>, ${r.table.servers.length} hosts, ${Object.keys(r.table.backends).length} backends` : ''}</p>
<form action="/debug/explain">Explain a request: host <input name="host" placeholder="example.com"> path <input name="path" value="/"> method <input name="method" value="GET" size="6"> <button>explain</button></form>
<p>JSON: <a href="/debug/routes">routes</a> · <a href="/debug/ingresses">ingresses</a> · <a href="/debug/errors">errors</a> · <a href="/debug/config">config</a> · <a href="/metrics">metrics</a></p>
<h2>Ingresses</h2><table><tr><th>Ingress</th><th>Ours</th><th>Class</th><th>Hosts</th><th>Routes</th><th>Errors</th><th>Warnings</th></tr>${rows}</table>
<h2>Problems</h2><table><tr><th>Severity</th><th>Object</th><th>Field</th><th>Reason</th><th>Message</th></tr>${diags}</table>
</body></html>`;
}
