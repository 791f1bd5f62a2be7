// A missing optional peer (pg, PGlite, ioredis) is a typed error naming the install command,
// recognised by its code rather than by its message.
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { isSamlError } from '../../lib/index.js'
import { importOptionalPeer } from '../../lib/optional-peers/import-optional-peer.js'

describe('importOptionalPeer', () => {
  it('turns a package that is not installed into ERR_SAML_PEER_MISSING with the npm install command', async () => {
    const name = 'no-such-package-for-passport-saml-multi-idp'
    await assert.rejects(
      importOptionalPeer(name, 'The widget store', () => import(name)),
      (err: unknown) => {
        assert.ok(isSamlError(err, 'ERR_SAML_PEER_MISSING'))
        assert.match(err.message, new RegExp(`npm install ${name}`))
        assert.match(err.message, /The widget store/)
        return true
      },
    )
  })

  it('loads an installed package', async () => {
    const yaml = await importOptionalPeer('yaml', 'YAML files', () => import('yaml'))
    assert.equal(typeof yaml.parse, 'function')
  })
})
