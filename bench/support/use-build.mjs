// Makes the bench run the library as users run it: the compiled JavaScript in dist/esm (which
// `npm run bench` builds first), not the TypeScript sources through tsx. tsx compiles with esbuild's
// keepNames, which wraps every function a call creates in a `__name` helper (an Object.defineProperty
// per closure): a cost the published package does not have, and the peer (shipped as compiled
// JavaScript) does not pay. Every `lib/*.ts` the bench, the floor and the spec support import
// resolves to its `dist/esm/*.js` twin, so all of them share one copy of the library.
import { existsSync } from 'node:fs'
import { register } from 'node:module'
import { URL } from 'node:url'

const lib = new URL('../../lib/', import.meta.url).href
const built = new URL('../../dist/esm/', import.meta.url).href
if (!existsSync(new URL('index.js', built))) {
  throw new Error('bench: dist/esm is missing; run `npm run build` (npm run bench does) first')
}

const hooks = `
const lib = ${JSON.stringify(lib)}
const built = ${JSON.stringify(built)}
export async function resolve(specifier, context, next) {
  const resolved = await next(specifier, context)
  if (!resolved.url.startsWith(lib) || !resolved.url.endsWith('.ts')) return resolved
  return { ...resolved, url: built + resolved.url.slice(lib.length, -3) + '.js', format: 'module' }
}
`
register(`data:text/javascript,${encodeURIComponent(hooks)}`)
