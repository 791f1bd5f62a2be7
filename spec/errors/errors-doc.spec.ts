// docs/errors.md is the reference for every SamlErrorCode: one table row and one entry per code,
// no more and no fewer, with the status the SAML routes answer with.
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { describe, it } from 'node:test'
import { SAML_ERROR_CODES } from '../../lib/errors/saml-error.js'
import { samlErrorStatus } from '../../lib/http/saml-error-status.js'

const doc = readFileSync(new URL('../../docs/errors.md', import.meta.url), 'utf8')

describe('docs/errors.md', () => {
  it('has one entry per code of the SamlErrorCode union, and no other', () => {
    const entries = [...doc.matchAll(/^### `(ERR_[A-Z_]+)`$/gm)].map((m) => m[1])
    assert.deepEqual([...entries].sort(), [...SAML_ERROR_CODES].sort())
    assert.equal(new Set(entries).size, entries.length, 'no code twice')
  })

  it('lists every code in its table with the status samlErrorStatus gives', () => {
    const rows = [...doc.matchAll(/^\| \[`(ERR_[A-Z_]+)`\]\(#([a-z_]+)\) +\| +(\d{3}) \|/gm)]
    assert.deepEqual(rows.map((m) => m[1]).sort(), [...SAML_ERROR_CODES].sort())
    for (const [, code, anchor, status] of rows) {
      assert.equal(anchor, code!.toLowerCase(), `${code}: anchor`)
      assert.equal(
        Number(status),
        samlErrorStatus(code as (typeof SAML_ERROR_CODES)[number]),
        `${code}: status`,
      )
    }
  })
})
