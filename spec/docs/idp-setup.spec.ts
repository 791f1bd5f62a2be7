// docs/idp-setup.md's vendor sections are written from demo/admin/idp-setup-steps.ts, the data the
// demo's IdP page renders: the page must be what the module writes now (else: npm run docs:idp-setup).
import assert from 'node:assert/strict'
import { readFile } from 'node:fs/promises'
import { describe, it } from 'node:test'
import { presets } from '../../lib/index.js'
import { rewriteIdpSetupPage } from '../../demo/admin/idp-setup-markdown.js'
import { IDP_SETUP_GUIDES, IDP_VENDOR_IDS } from '../../demo/admin/idp-setup-steps.js'

const PATH = 'docs/idp-setup.md'

describe('docs/idp-setup.md', () => {
  it('is what demo/admin/idp-setup-steps.ts writes (run npm run docs:idp-setup)', async () => {
    const page = await readFile(PATH, 'utf8')
    assert.equal(page, await rewriteIdpSetupPage(page, PATH))
  })

  it('has a guide per vendor, each with a preset that reads its attribute names', () => {
    for (const id of IDP_VENDOR_IDS) {
      const guide = IDP_SETUP_GUIDES[id]
      assert.equal(guide.id, id)
      const map = presets[guide.preset]
      const names = new Set(
        Object.values(map).flatMap((spec) =>
          typeof spec === 'string'
            ? [spec]
            : Array.isArray(spec)
              ? spec
              : [(spec as { from: unknown }).from].flat(),
        ),
      )
      // Attribute names the guide asks for are names its map reads (AD FS's are claim descriptions).
      if (id === 'adfs' || id === 'entra') continue
      for (const { name } of guide.attributes) assert.ok(names.has(name), `${id}: nothing maps "${name}"`)
    }
  })
})
