// What verify gets besides the profile's fields: `profile.context` (not enumerable) with the IdP
// record, the return path, and the XML views passport-saml apps read through `getAssertionXml()`.
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { MemoryIdpStore, type SamlProfile } from '../../lib/index.js'
import { SamlServiceProvider } from '../../lib/entries/core.js'
import { keys } from '../support/test-idp.js'
import { acme } from '../support/tenant-idps.js'

describe('profile.context', () => {
  it('has the record, the return path, and the verified assertion and posted response as XML', async () => {
    const store = new MemoryIdpStore()
    await store.put({ id: 'acme', metadataXml: acme.metadataXml(), allowIdpInitiated: true })
    const saml = new SamlServiceProvider({
      store,
      sp: { baseUrl: 'https://app.example.test', signingKey: keys.sp.key, signingCert: keys.sp.cert },
    })
    const response = await acme.createResponse({
      spEntityId: 'https://app.example.test/saml/acme/metadata',
      acsUrl: 'https://app.example.test/saml/acme/acs',
      nameId: 'alice@acme.test',
      encrypt: { cert: keys.sp.cert },
    })
    let seen: SamlProfile | undefined
    const outcome = await saml.acs(
      {
        method: 'POST',
        url: '/saml/acme/acs',
        params: { idp: 'acme' },
        headers: {},
        body: { SAMLResponse: response.base64, RelayState: '/home' },
      },
      async (profile) => {
        seen = profile
        return { user: { id: profile.nameID } }
      },
    )
    assert.equal(outcome.type, 'accepted')
    const context = seen!.context
    assert.equal(context.idp.id, 'acme')
    assert.equal(context.returnTo, '/home')
    const assertionXml = context.assertionXml()
    assert.match(assertionXml, /^<(\w+:)?Assertion\b/)
    assert.ok(assertionXml.includes('alice@acme.test'), 'decrypted: the NameID is readable')
    assert.ok(assertionXml.includes(response.assertionId))
    assert.equal(context.assertionXml(), assertionXml, 'serialized once')
    assert.equal(context.responseXml(), response.xml)
    assert.ok(context.responseXml().includes('EncryptedAssertion'), 'the response as posted')
    assert.ok(!Object.keys(seen!).includes('context'), 'not enumerable')
    assert.ok(!JSON.stringify(seen).includes('Assertion'))
  })
})
