// Issue #11 item 6: checkIdpHealth / checkIdpRecordHealth report certificates that expired or expire
// soon (dates made by openssl), metadata past its validUntil, and failing metadata fetches from the
// store's fetch status (a real loopback metadata server that goes down). Time is given, never waited.
import assert from 'node:assert/strict'
import { execFileSync } from 'node:child_process'
import { createHash, X509Certificate } from 'node:crypto'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import {
  checkIdpHealth,
  checkIdpRecordHealth,
  MemoryIdpStore,
  normalizeCertificate,
  putIdpRecord,
  SamlError,
  startMetadataRefresh,
} from '../../lib/index.js'
import { compileTrustedKeys } from '../../lib/xmldsig/trusted-keys.js'
import { startMetadataServer, withHints, type MetadataServer } from '../support/metadata-server.js'
import { makeCertificate } from '../support/openssl-certificates.js'
import { keys } from '../support/test-idp.js'
import { acme, globex } from '../support/tenant-idps.js'

const DAY = 86_400_000
const expired = makeCertificate({
  commonName: 'old.initech.test',
  notBefore: new Date('2020-01-01T00:00:00Z'),
  notAfter: new Date('2021-01-01T00:00:00Z'),
})
const until2030 = makeCertificate({
  commonName: 'initech.test',
  notBefore: new Date('2020-01-01T00:00:00Z'),
  notAfter: new Date('2030-01-01T00:00:00Z'),
})
/** Before keys.idpAcme's notAfter (2036-11-20) and 17 days before until2030's. */
const NOW = Date.parse('2029-12-15T00:00:00Z')
const manual = (id: string, signingCerts: string[], extra: Record<string, unknown> = {}) =>
  new MemoryIdpStore().put({
    id,
    entityId: `https://${id}.test/saml`,
    ssoUrl: `https://${id}.test/sso`,
    // With an SLO endpoint, so the certificate cases are not joined by the no-single-logout notice.
    sloUrls: { redirect: `https://${id}.test/slo` },
    signingCerts,
    ...extra,
  })
const codes = (h: { reasons: readonly { code: string }[] }) => h.reasons.map((r) => r.code)
const pick = (o: object, names: string[]) =>
  Object.fromEntries(Object.entries(o).filter(([k]) => names.includes(k)))

/** A self-signed Ed25519 certificate, made by openssl. */
function ed25519Certificate(): string {
  const dir = mkdtempSync(join(tmpdir(), 'ed25519-cert-'))
  try {
    const run = (args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' })
    run(['genpkey', '-algorithm', 'ed25519', '-out', 'key.pem'])
    run(['req', '-x509', '-key', 'key.pem', '-subj', '/CN=ed25519.test', '-days', '30', '-out', 'cert.pem'])
    return readFileSync(join(dir, 'cert.pem'), 'utf8')
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}

describe('checkIdpRecordHealth', () => {
  it('ok with current certificates, listing each with its dates', async () => {
    const health = checkIdpRecordHealth(await manual('ok', [keys.idpAcme.cert, until2030.cert]), { now: NOW })
    assert.equal(health.status, 'ok')
    assert.deepEqual(health.reasons, [])
    assert.deepEqual(
      health.certificates.map((c) => [c.use, c.subject, c.notBefore, c.notAfter, c.state]),
      [
        ['signing', 'CN=idp-acme.test', '2026-11-23T09:37:23.000Z', '2036-11-20T09:37:23.000Z', 'valid'],
        ['signing', 'CN=initech.test', '2020-01-01T00:00:00.000Z', '2030-01-01T00:00:00.000Z', 'expiring'],
      ],
    )
  })

  it('every signing certificate expired: a warning by default, an error when the record refuses expired ones', async () => {
    const lenient = checkIdpRecordHealth(await manual('a', [expired.cert]), { now: NOW })
    assert.deepEqual(
      [lenient.status, codes(lenient), lenient.acceptExpiredSigningCerts],
      ['warning', ['certificate-expired'], true],
    )
    assert.equal((lenient.reasons[0] as { notAfter: string }).notAfter, '2021-01-01T00:00:00.000Z')
    const strict = checkIdpRecordHealth(
      await manual('b', [expired.cert], { acceptExpiredSigningCerts: false }),
      { now: NOW },
    )
    assert.deepEqual([strict.status, codes(strict)], ['error', ['certificate-expired']])
    // One expired certificate beside a current one is a finished rotation: ok.
    const rotated = checkIdpRecordHealth(await manual('c', [expired.cert, keys.idpAcme.cert]), { now: NOW })
    assert.equal(rotated.status, 'ok')
    assert.equal(rotated.certificates[0]!.state, 'expired')
  })

  it('a certificate expiring within the window, with none to follow it, is a warning', async () => {
    const record = await manual('d', [expired.cert, until2030.cert])
    const soon = checkIdpRecordHealth(record, { now: NOW })
    assert.deepEqual([soon.status, codes(soon)], ['warning', ['certificate-expiring']])
    assert.equal((soon.reasons[0] as { notAfter: string }).notAfter, '2030-01-01T00:00:00.000Z')
    // A shorter window: not yet.
    assert.equal(checkIdpRecordHealth(record, { now: NOW, expiringWithinMs: 7 * DAY }).status, 'ok')
    // Past it: every signing certificate has expired.
    assert.deepEqual(codes(checkIdpRecordHealth(record, { now: Date.parse('2030-01-02T00:00:00Z') })), [
      'certificate-expired',
    ])
    for (const bad of [{ expiringWithinMs: -1 }, { expiringWithinMs: 1.5 }, { now: 'today' }]) {
      assert.throws(() => checkIdpRecordHealth(record, bad as never), TypeError)
    }
  })

  it("the record's own settings: SHA-1 allowed and http endpoints are warnings, no SLO a notice that leaves it ok", async () => {
    const plain = checkIdpRecordHealth(await manual('plain', [keys.idpAcme.cert]), { now: NOW })
    assert.deepEqual([plain.status, codes(plain)], ['ok', []])
    const noSlo = checkIdpRecordHealth(await manual('noslo', [keys.idpAcme.cert], { sloUrls: {} }), {
      now: NOW,
    })
    assert.deepEqual([noSlo.status, codes(noSlo)], ['ok', ['no-single-logout']])
    const lax = checkIdpRecordHealth(
      await manual('lax', [keys.idpAcme.cert], {
        allowSha1: true,
        ssoUrl: 'http://lax.test/sso',
        sloUrls: { post: 'http://lax.test/slo', redirect: 'http://127.0.0.1:8080/slo' },
      }),
      { now: NOW },
    )
    assert.deepEqual([lax.status, codes(lax)], ['warning', ['sha1-accepted', 'insecure-endpoint']])
    assert.deepEqual((lax.reasons[1] as { fields?: readonly string[] }).fields, [
      'ssoUrls.redirect',
      'sloUrls.post',
    ])
  })

  it('a certificate OpenSSL cannot use: an error for signing (every login fails), a warning for a metadata pin, a notice for encryption; left out of the list', async () => {
    // The record accepts a certificate by its DER shape; its key is read at login and here.
    const corrupt = Buffer.from(new X509Certificate(keys.idpGlobex.cert).raw)
    const spki = corrupt.indexOf(Buffer.from('0382010f003082010a', 'hex'))
    corrupt[spki + 5] = 0x31 // the RSAPublicKey SEQUENCE tagged as a SET
    const undecodable = corrupt.toString('base64')
    const fingerprint = createHash('sha256').update(corrupt).digest('hex')
    const signing = checkIdpRecordHealth(await manual('s', [keys.idpAcme.cert, undecodable]), { now: NOW })
    assert.deepEqual([signing.status, codes(signing)], ['error', ['certificate-unusable']])
    assert.deepEqual(pick(signing.reasons[0]!, ['status', 'use', 'fingerprint']), {
      status: 'error',
      use: 'signing',
      fingerprint,
    })
    assert.match(
      signing.reasons[0]!.message,
      /OpenSSL cannot decode it.*every login fails \(ERR_SAML_IDP_UNUSABLE\)/,
    )
    assert.deepEqual(
      signing.certificates.map((c) => c.subject),
      ['CN=idp-acme.test'],
    )

    const encryption = checkIdpRecordHealth(
      await manual('e', [keys.idpAcme.cert], { encryptionCerts: [undecodable] }),
      { now: NOW },
    )
    // Nothing uses an IdP's encryption certificate: a notice, which leaves the IdP ok.
    assert.deepEqual([encryption.status, codes(encryption)], ['ok', ['certificate-unusable']])
    assert.deepEqual(pick(encryption.reasons[0]!, ['status', 'use']), { status: 'notice', use: 'encryption' })

    // A pin is verified against on every put, so only a record stored before can hold an unusable one.
    const pinnedRecord = {
      ...(await manual('m', [keys.idpAcme.cert])),
      metadataSigningCerts: [normalizeCertificate(undecodable)],
    }
    const pinned = checkIdpRecordHealth(pinnedRecord, { now: NOW })
    assert.deepEqual([pinned.status, codes(pinned)], ['warning', ['certificate-unusable']])
    assert.match(pinned.reasons[0]!.message, /every metadata refresh fails/)

    // A record stored before records checked validity times: OpenSSL reads the certificate but has
    // no date for it ("Bad time value"); the report says so instead of throwing.
    const der = Buffer.from(new X509Certificate(keys.idpGlobex.cert).raw)
    const notBefore = der.indexOf(Buffer.from('170d', 'hex')) + 2
    const notAfter = der.indexOf(Buffer.from('170d', 'hex'), notBefore) + 2
    der.fill(0x5a, notAfter, notAfter + 12) // ZZZZZZZZZZZZZ
    const pem = `-----BEGIN CERTIFICATE-----\n${der.toString('base64').replace(/(.{64})/g, '$1\n')}\n-----END CERTIFICATE-----\n`
    const legacy = { ...(await manual('old', [keys.idpAcme.cert])), signingCerts: [keys.idpAcme.cert, pem] }
    const legacyHealth = checkIdpRecordHealth(legacy, { now: NOW })
    assert.deepEqual([legacyHealth.status, codes(legacyHealth)], ['error', ['certificate-unusable']])
    assert.match(legacyHealth.reasons[0]!.message, /validity dates cannot be read/)
    assert.throws(
      () => compileTrustedKeys(legacy.signingCerts, 'old'),
      (err) => err instanceof SamlError && err.code === 'ERR_SAML_IDP_UNUSABLE',
    )

    // An Ed25519 signing certificate (openssl): a certificate, but no key this library verifies with.
    const ed25519 = ed25519Certificate()
    const edHealth = checkIdpRecordHealth(await manual('ed', [ed25519]), { now: NOW })
    assert.deepEqual([edHealth.status, codes(edHealth)], ['error', ['certificate-unusable']])
    assert.match(edHealth.reasons[0]!.message, /ed25519; only RSA and EC can sign/)
  })

  it('held metadata past its validUntil is an error', async () => {
    const record = await new MemoryIdpStore().put({
      id: 'acme',
      metadataXml: withHints(acme.metadataXml(), { validUntil: Date.parse('2030-06-01T00:00:00Z') }),
    })
    assert.equal(checkIdpRecordHealth(record, { now: NOW }).status, 'ok')
    const later = checkIdpRecordHealth(record, { now: Date.parse('2030-06-02T00:00:00Z') })
    assert.deepEqual([later.status, codes(later)], ['error', ['metadata-expired', 'no-single-logout']])
    assert.equal(later.metadataValidUntil, '2030-06-01T00:00:00.000Z')
  })
})

describe('checkIdpHealth over a store', () => {
  let server: MetadataServer
  before(async () => {
    server = await startMetadataServer()
  })
  after(() => server.close())

  it('includes the metadata fetch status: failing fetches are a warning, with the last error', async () => {
    const now = Date.parse('2027-01-01T00:00:00Z')
    const store = new MemoryIdpStore()
    const schedule = { fetch: { allowHttp: true, allowPrivateNetwork: true }, clock: () => now }
    server.answer('/acme.xml', { kind: 'document', xml: acme.metadataXml() })
    await putIdpRecord(store, { id: 'acme', metadataUrl: server.url('/acme.xml') }, schedule)
    await store.put({ id: 'globex', metadataXml: globex.metadataXml() })
    await store.put({
      id: 'initech',
      entityId: 'https://initech.test/saml',
      ssoUrl: 'https://initech.test/sso',
      signingCerts: [expired.cert],
      acceptExpiredSigningCerts: false,
    })

    let health = await checkIdpHealth(store, { now })
    assert.deepEqual(
      health.map((h) => [h.idp, h.status, codes(h)]),
      [
        // The metadata server is plain http on loopback, which never leaves the machine: no warning.
        ['acme', 'ok', ['no-single-logout']],
        ['globex', 'ok', ['no-single-logout']],
        ['initech', 'error', ['certificate-expired', 'no-single-logout']],
      ],
    )
    assert.equal(health[0]!.metadataStatus?.consecutiveFailures, 0)
    assert.equal(health[1]!.metadataStatus, undefined) // no metadataUrl

    server.answer('/acme.xml', { kind: 'status', status: 503 })
    const refresher = startMetadataRefresh(store, { ...schedule, immediate: false })
    try {
      assert.equal((await refresher.refreshIdp('acme')).outcome, 'failed')
      assert.equal((await refresher.refreshIdp('acme')).outcome, 'failed')
    } finally {
      refresher.stop()
    }
    health = await checkIdpHealth(store, { now })
    const acmeHealth = health[0]!
    assert.deepEqual(
      [acmeHealth.status, codes(acmeHealth)],
      ['warning', ['metadata-fetch-failing', 'no-single-logout']],
    )
    const reason = acmeHealth.reasons[0] as { consecutiveFailures: number; lastError?: { code: string } }
    assert.equal(reason.consecutiveFailures, 2)
    assert.equal(reason.lastError?.code, 'ERR_SAML_METADATA_FETCH')
    assert.equal(acmeHealth.metadataStatus?.lastSuccessAt, new Date(now).toISOString())
  })
})
