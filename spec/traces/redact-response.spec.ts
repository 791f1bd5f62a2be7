// Redaction matches names by local name in any namespace: a prefix must not carry a personal value
// (or a signature value) past it.
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { REDACTED } from '../../lib/traces/saml-trace.js'
import { redactResponse } from '../../lib/traces/redact-response.js'

const response = `<samlp:Response xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" xmlns:x="urn:example:ext" ID="r1" IssueInstant="2026-03-02T10:00:00Z">
  <saml:Assertion xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" ID="a1" IssueInstant="2026-03-02T10:00:01Z">
    <saml:Subject><saml:NameID>alice@acme.test</saml:NameID>
      <saml:SubjectConfirmation><saml:SubjectConfirmationData x:Address="203.0.113.7" Address="198.51.100.9"/></saml:SubjectConfirmation>
    </saml:Subject>
    <saml:AuthnStatement x:SessionIndex="sess-secret"/>
    <x:SignatureValue>c2lnbmF0dXJl</x:SignatureValue>
    <saml:AttributeStatement><saml:Attribute Name="email"><saml:AttributeValue>alice@acme.test</saml:AttributeValue></saml:Attribute></saml:AttributeStatement>
  </saml:Assertion>
</samlp:Response>`

describe('redactResponse', () => {
  it('replaces personal attributes and elements whatever their prefix, and reads the IssueInstant', () => {
    const redacted = redactResponse(response, false)
    assert.ok(redacted)
    for (const secret of ['alice@acme.test', '203.0.113.7', '198.51.100.9', 'sess-secret', 'c2lnbmF0dXJl'])
      assert.ok(!redacted.xml.includes(secret), `${secret} is redacted`)
    assert.ok(redacted.xml.includes(`x:Address="${REDACTED}"`))
    assert.equal(redacted.issueInstant, Date.parse('2026-03-02T10:00:01Z'))
  })

  it('keeps personal values when asked, never signature values', () => {
    const kept = redactResponse(response, true)
    assert.ok(kept)
    assert.ok(kept.xml.includes('203.0.113.7') && kept.xml.includes('sess-secret'))
    assert.ok(!kept.xml.includes('c2lnbmF0dXJl'))
  })
})
