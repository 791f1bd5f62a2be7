// Preloaded (NODE_OPTIONS=--import=…) by `scripts/run-specs.mjs` for its Express 4 pass: from here on,
// `import 'express'` (and `express/…`) resolves to the Express 4 this repository installs as
// `express-4`, for every importer: the specs, spec/support/app.ts and the library's own
// lib/express/saml-router.ts. That is what an Express 4 app gets: `express` resolving to 4.x.
// Child processes inherit NODE_OPTIONS, so app instances the specs spawn run on Express 4 too.
import { register } from 'node:module'

register('./express-4-hooks.mjs', import.meta.url)
