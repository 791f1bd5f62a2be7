// Rewrites the vendor sections of docs/idp-setup.md from demo/admin/idp-setup-steps.ts (the same
// data the demo's IdP page shows). spec/docs/idp-setup.spec.ts fails when the page is out of date.
//
//   npm run docs:idp-setup
import { readFile, writeFile } from 'node:fs/promises'
import { rewriteIdpSetupPage } from '../demo/admin/idp-setup-markdown.ts'

const path = 'docs/idp-setup.md'
await writeFile(path, await rewriteIdpSetupPage(await readFile(path, 'utf8'), path))
console.log(`${path}: vendor sections rewritten from demo/admin/idp-setup-steps.ts`)
