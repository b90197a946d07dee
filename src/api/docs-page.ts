import type { OpenApiDocument, Operation } from './openapi.js';

/**
 * The human-readable API reference at /docs: one self-contained HTML page rendered from the
 * OpenAPI document (no scripts, no CDN), so it works offline and always matches the API.
 */
export function renderDocs(doc: OpenApiDocument): string {
  const info = doc.info as { title: string; version: string; description: string };
  const schemas = doc.components.schemas as Record<string, JsonSchema>;
  const operations = Object.entries(doc.paths).flatMap(([path, ops]) =>
    Object.entries(ops).map(([method, op]) => ({ path, method, op })),
  );
  const tags = [...new Set(operations.map((o) => o.op.tags[0]!))];
  const events = Object.keys(schemas).filter((name) => name.endsWith('Properties'));

  const toc = tags
    .map(
      (tag) =>
        `<li>${esc(tag)}<ul>${operations
          .filter((o) => o.op.tags[0] === tag)
          .map(
            (o) =>
              `<li><a href="#${o.op.operationId}"><code>${o.method.toUpperCase()} ${esc(o.path)}</code></a></li>`,
          )
          .join('')}</ul></li>`,
    )
    .join('');
  const body = tags
    .map(
      (tag) =>
        `<h2>${esc(tag)}</h2>${operations
          .filter((o) => o.op.tags[0] === tag)
          .map((o) => renderOperation(o.method, o.path, o.op, schemas))
          .join('')}`,
    )
    .join('');
  const eventSection = events
    .map(
      (name) =>
        `<h3 id="schema-${name}">${esc(schemas[name]!.title ?? name)}</h3>${renderFields(schemas[name]!, schemas)}`,
    )
    .join('');

  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(info.title)} ${esc(info.version)}</title>
<style>
body{font:15px/1.5 system-ui,sans-serif;margin:0;color:#1d2330;display:flex}
nav{width:290px;flex:none;height:100vh;position:sticky;top:0;overflow:auto;background:#f4f6f9;padding:16px;box-sizing:border-box;font-size:13px}
nav ul{list-style:none;padding-left:10px}main{padding:24px 40px;max-width:980px}
code,pre{font:13px ui-monospace,monospace}pre{background:#0f1723;color:#e6edf3;padding:12px;border-radius:6px;overflow:auto}
.op{border:1px solid #dde3ea;border-radius:8px;padding:4px 18px 14px;margin:18px 0}
.m{display:inline-block;min-width:58px;text-align:center;border-radius:4px;color:#fff;font-weight:600;font-size:12px;padding:2px 6px;margin-right:8px}
.get{background:#2f80ed}.post{background:#27ae60}.put{background:#d68910}.delete{background:#c0392b}
table{border-collapse:collapse;width:100%;font-size:13px;margin:6px 0}td,th{border-bottom:1px solid #e5e9ef;text-align:left;padding:4px 6px;vertical-align:top}
.req{color:#c0392b;font-size:11px}.access{font-size:12px;color:#5b6575}
</style></head><body>
<nav><strong>${esc(info.title)}</strong> <small>${esc(info.version)}</small><ul>${toc}<li>Typed events<ul>${events
    .map((n) => `<li><a href="#schema-${n}">${esc(schemas[n]!.title ?? n)}</a></li>`)
    .join('')}</ul></li></ul><p><a href="/openapi.json">openapi.json</a></p></nav>
<main><h1>${esc(info.title)}</h1>${markdown(info.description)}${body}
<h2>Typed e-commerce events</h2><p>Properties of these <code>track</code> events are checked and coerced (numbers sent as strings are accepted). Other fields are kept as sent.</p>${eventSection}
</main></body></html>`;
}

type JsonSchema = {
  title?: string;
  type?: string | string[];
  properties?: Record<string, JsonSchema>;
  required?: string[];
  items?: JsonSchema;
  anyOf?: JsonSchema[];
  enum?: unknown[];
  const?: unknown;
  description?: string;
  $ref?: string;
  additionalProperties?: unknown;
  minimum?: number;
  maximum?: number;
  maxLength?: number;
  default?: unknown;
};

function renderOperation(
  method: string,
  path: string,
  op: Operation,
  schemas: Record<string, JsonSchema>,
): string {
  const access =
    { public: 'no key', write: 'write key or admin key', admin: 'admin key' }[op['x-access']] ??
    op['x-access'];
  const params = op.parameters.length
    ? `<h4>Parameters</h4><table><tr><th>name</th><th>in</th><th>type</th><th>description</th></tr>${op.parameters
        .map(
          (p) =>
            `<tr><td><code>${esc(p.name)}</code>${p.required ? ' <span class="req">required</span>' : ''}</td><td>${p.in}</td><td>${esc(typeOf(p.schema as JsonSchema, schemas))}</td><td>${esc(p.description ?? '')}</td></tr>`,
        )
        .join('')}</table>`
    : '';
  const request = op.requestBody?.content['application/json'];
  const body = request
    ? `<h4>Request body</h4>${renderFields(request.schema as JsonSchema, schemas)}${
        request.example ? `<pre>${esc(curl(method, path, request.example, op['x-access']))}</pre>` : ''
      }`
    : '';
  const responses = `<h4>Responses</h4><table>${Object.entries(op.responses)
    .map(([status, r]) => `<tr><td><code>${status}</code></td><td>${esc(r.description)}</td></tr>`)
    .join('')}</table>`;
  const ok = op.responses['200']?.content?.['application/json'].schema as JsonSchema | undefined;
  return `<section class="op" id="${op.operationId}"><h3><span class="m ${method}">${method.toUpperCase()}</span><code>${esc(path)}</code></h3>
<p>${esc(op.summary)}. <span class="access">Auth: ${access}.</span></p>${op.description ? markdown(op.description) : ''}${params}${body}${responses}${
    ok ? `<details><summary>200 response fields</summary>${renderFields(ok, schemas)}</details>` : ''
  }</section>`;
}

function renderFields(schema: JsonSchema, schemas: Record<string, JsonSchema>, depth = 0): string {
  const s = resolve(schema, schemas);
  if (!s.properties) return `<p><code>${esc(typeOf(s, schemas))}</code></p>`;
  const rows = Object.entries(s.properties).map(([name, field]) => {
    const f = resolve(field, schemas);
    const nested =
      depth < 2 && (f.properties || resolve(f.items ?? {}, schemas).properties)
        ? renderFields(f.items ?? f, schemas, depth + 1)
        : '';
    return `<tr><td><code>${esc(name)}</code>${s.required?.includes(name) ? ' <span class="req">required</span>' : ''}</td><td>${esc(typeOf(f, schemas))}</td><td>${esc(f.description ?? '')}${nested}</td></tr>`;
  });
  return `<table><tr><th>field</th><th>type</th><th>description</th></tr>${rows.join('')}</table>`;
}

function resolve(schema: JsonSchema, schemas: Record<string, JsonSchema>): JsonSchema {
  if (schema.$ref)
    return { ...schemas[schema.$ref.split('/').pop()!], ...schema, $ref: undefined } as JsonSchema;
  const options = schema.anyOf?.filter((o) => o.type !== 'null');
  if (options?.length === 1) return { ...resolve(options[0]!, schemas), description: schema.description };
  return schema;
}

function typeOf(schema: JsonSchema, schemas: Record<string, JsonSchema>): string {
  const s = resolve(schema, schemas);
  if (s.const !== undefined) return JSON.stringify(s.const);
  if (s.enum) return s.enum.map((v) => JSON.stringify(v)).join(' | ');
  if (s.anyOf)
    return [...new Set(s.anyOf.filter((o) => o.type !== 'null').map((o) => typeOf(o, schemas)))].join(' | ');
  if (s.type === 'array') return `${typeOf(s.items ?? {}, schemas)}[]`;
  if (s.type === 'object') return s.properties ? 'object' : 'object (any fields)';
  const range =
    s.minimum !== undefined && s.maximum !== undefined && s.maximum < 1e15
      ? ` ${s.minimum}..${s.maximum}`
      : '';
  return `${Array.isArray(s.type) ? s.type.join(' | ') : (s.type ?? 'any')}${range}${s.default !== undefined ? ` = ${JSON.stringify(s.default)}` : ''}`;
}

function curl(method: string, path: string, example: unknown, access: string): string {
  const key = access === 'admin' ? '$CARTWISE_ADMIN_KEY' : '$CARTWISE_WRITE_KEY';
  const url = `http://localhost:8080${path.replace(/\{(\w+)\}/g, 'sku-1')}`;
  return `curl -X ${method.toUpperCase()} ${url} \\\n  -H "Authorization: Bearer ${key}" -H "Content-Type: application/json" \\\n  -d '${JSON.stringify(example)}'`;
}

function markdown(text: string): string {
  return text
    .split(/\n\n+/)
    .map(
      (p) =>
        `<p>${esc(p)
          .replace(/`([^`]+)`/g, '<code>$1</code>')
          .replace(/\[([^\]]+)\]\(#\/components\/schemas\/(\w+)\)/g, '<a href="#schema-$2">$1</a>')}</p>`,
    )
    .join('');
}

function esc(text: string): string {
  return text.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!,
  );
}
