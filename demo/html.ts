/**
 * Server-side HTML for the demo: a tagged template that escapes every interpolated value unless it is
 * already {@link Html}, and the shared page layout. No front-end build step.
 *
 * @module
 */

/** Markup that is already safe to write as is. */
export class Html {
  constructor(readonly value: string) {}
  toString(): string {
    return this.value
  }
}

/** Escapes text for HTML element content and quoted attribute values. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`)
}

type Value = Html | string | number | boolean | null | undefined | readonly Value[]

function render(value: Value): string {
  if (value === null || value === undefined || value === false) return ''
  if (value instanceof Html) return value.value
  if (Array.isArray(value)) return value.map((v: Value) => render(v)).join('')
  return escapeHtml(String(value))
}

/**
 * Tagged template: `html\`<p>${name}</p>\`` escapes `name`; nested `html` results and arrays of them
 * are written as is.
 *
 * @example
 * ```ts
 * const item = html`<li>${'<script>'}</li>` // <li>&#60;script&#62;</li>
 * ```
 */
export function html(strings: TemplateStringsArray, ...values: Value[]): Html {
  let out = strings[0]!
  values.forEach((value, i) => {
    out += render(value) + strings[i + 1]!
  })
  return new Html(out)
}

/** Marks trusted markup (e.g. a script body written by the demo itself) as safe. */
export function raw(markup: string): Html {
  return new Html(markup)
}

const CSS = `
:root { --fg: #1c2430; --muted: #5b6675; --line: #dfe3ea; --bg: #f6f7fb; --card: #fff;
  --accent: #2456d6; --accent-fg: #fff; --ok: #137a3a; --bad: #b42318; --code: #f1f3f8; }
* { box-sizing: border-box; }
body { margin: 0; font: 15px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: var(--fg);
  background: var(--bg); }
header.top { background: var(--card); border-bottom: 1px solid var(--line); }
header.top .bar { max-width: 980px; margin: 0 auto; padding: 12px 20px; display: flex; gap: 18px;
  align-items: center; }
header.top .brand { font-weight: 700; color: var(--fg); text-decoration: none; margin-right: auto; }
header.top a { color: var(--muted); text-decoration: none; }
header.top a:hover { color: var(--accent); }
header.top a.button, header.top a.button:hover { color: var(--accent-fg); }
details > summary { cursor: pointer; font-weight: 600; margin: 10px 0; }
main { max-width: 980px; margin: 0 auto; padding: 24px 20px 60px; }
h1 { font-size: 24px; margin: 0 0 16px; }
h2 { font-size: 18px; margin: 24px 0 10px; }
.card { background: var(--card); border: 1px solid var(--line); border-radius: 10px; padding: 20px;
  margin-bottom: 18px; }
.narrow { max-width: 460px; margin-left: auto; margin-right: auto; }
.muted { color: var(--muted); }
.button, button { display: inline-block; background: var(--accent); color: var(--accent-fg); border: 0;
  border-radius: 7px; padding: 9px 16px; font: inherit; font-weight: 600; cursor: pointer;
  text-decoration: none; }
.button.secondary, button.secondary { background: var(--card); color: var(--fg); border: 1px solid var(--line); }
button.danger { background: var(--bad); }
.button:hover, button:hover { filter: brightness(1.08); }
input[type=text], input[type=email], input[type=password], input[type=url], textarea, select {
  width: 100%; padding: 9px 11px; border: 1px solid var(--line); border-radius: 7px; font: inherit;
  background: #fff; }
textarea { font-family: ui-monospace, SFMono-Regular, Menlo, monospace; font-size: 12.5px; min-height: 140px; }
label { display: block; font-weight: 600; margin: 12px 0 5px; }
.row { display: flex; gap: 10px; align-items: center; flex-wrap: wrap; }
.row > input { flex: 1; }
table { width: 100%; border-collapse: collapse; }
th, td { text-align: left; padding: 7px 8px; border-bottom: 1px solid var(--line); vertical-align: top; }
th { font-size: 12.5px; text-transform: uppercase; letter-spacing: .04em; color: var(--muted); }
code, pre { font-family: ui-monospace, SFMono-Regular, Menlo, monospace; font-size: 12.5px; }
code { background: var(--code); padding: 1px 5px; border-radius: 4px; word-break: break-all; }
pre { background: var(--code); padding: 12px; border-radius: 7px; overflow: auto; max-height: 420px; margin: 0; }
.idp-list { list-style: none; padding: 0; margin: 0; display: grid; gap: 10px; }
.idp-list a { display: flex; justify-content: space-between; padding: 12px 14px; border: 1px solid var(--line);
  border-radius: 8px; color: var(--fg); text-decoration: none; background: #fff; }
.idp-list a:hover { border-color: var(--accent); }
.pill { display: inline-block; padding: 1px 8px; border-radius: 999px; font-size: 12px; font-weight: 600;
  background: var(--code); color: var(--muted); }
.pill.ok { background: #e3f5e9; color: var(--ok); }
.pill.bad { background: #fdeceb; color: var(--bad); }
.notice { padding: 10px 14px; border-radius: 8px; margin-bottom: 16px; }
.notice.bad { background: #fdeceb; color: var(--bad); }
.notice.ok { background: #e3f5e9; color: var(--ok); }
.divider { text-align: center; color: var(--muted); margin: 18px 0; font-size: 13px; }
dl.kv { display: grid; grid-template-columns: max-content 1fr; gap: 6px 16px; margin: 0; }
dl.kv dt { color: var(--muted); }
dl.kv dd { margin: 0; word-break: break-all; }
`

/** Options of {@link layout}. */
export interface LayoutOptions {
  title: string
  body: Html
  /** Name of the signed-in user for the header, if any. */
  user?: string
  /** Whether the admin is signed in (shows the admin links). */
  admin?: boolean
}

/** The demo app's page: header with navigation, content, small inline stylesheet. */
export function layout(options: LayoutOptions): string {
  return html`<!doctype html>
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>${options.title} · SAML multi-IdP demo</title>
        <style>
          ${raw(CSS)}
        </style>
      </head>
      <body>
        <header class="top">
          <div class="bar">
            <a class="brand" href="/">SAML multi-IdP demo</a>
            <a href="/deep/link">Deep link</a>
            <a href="/admin">Admin</a>
            ${
              options.user
                ? html`<span class="muted">${options.user}</span>
                    <form method="post" action="/logout" style="margin:0">
                      <button class="secondary" type="submit">Sign out</button>
                    </form>`
                : html`<a class="button" href="/login">Sign in</a>`
            }
          </div>
        </header>
        <main>${options.body}</main>
      </body>
    </html>`.value
}

/** Page that posts a form to another site as soon as it loads (the SAML HTTP-POST binding). */
export function autoPostPage(
  action: string,
  fields: Record<string, string | undefined>,
  title: string,
): string {
  const inputs = Object.entries(fields)
    .filter((entry): entry is [string, string] => entry[1] !== undefined)
    .map(([name, value]) => html`<input type="hidden" name="${name}" value="${value}" />`)
  return html`<!doctype html>
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <title>${title}</title>
      </head>
      <body onload="document.forms[0].submit()">
        <form method="post" action="${action}">
          ${inputs}
          <noscript
            ><p>JavaScript is off: press the button to continue.</p>
            <button type="submit">Continue</button></noscript
          >
        </form>
      </body>
    </html>`.value
}
