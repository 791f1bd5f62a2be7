/**
 * One embedded IdP tenant's signing keys across rotations, kept in `DATA_DIR/keys` like every other
 * demo key. A rotation is what a real IdP (AD FS's AutoCertificateRollover, Okta's key rollover)
 * does: the new certificate is published in the metadata beside the current one for a rollover
 * period, so that SPs which refresh their metadata learn it, and only then does the IdP sign with
 * it. The replaced certificate stays published for another rollover period.
 *
 * The ring is one JSON file (`idp-<tenant>.keys.json`, owner-only). Until the first rotation the
 * tenant's key is the pair generated at first start (`idp-<tenant>.key.pem`, `.cert.pem`). The
 * file is read again when it changes, so instances sharing `DATA_DIR` sign with the same key.
 *
 * @module
 */
import { existsSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { ensureDir, loadOrCreateKeyPair } from '../data-dir.js'
import { createSelfSignedCertificate, type PemKeyPair } from './self-signed-certificate.js'
import { IdpError } from './tenant-idp.js'

/** One key pair of the ring and the moment the IdP starts signing with it. */
export interface RingKey extends PemKeyPair {
  /** ISO-8601: from then on (until a newer key's `signFrom`), this key signs. */
  readonly signFrom: string
  readonly createdAt: string
}

/** Where a tenant's keys stand at one moment. */
export interface SigningKeyState {
  /** The key that signs now. */
  readonly signing: RingKey
  /** A rotation under way: published, signing from its `signFrom`. */
  readonly next?: RingKey
  /** The key `signing` replaced, still published until `previousUntil`. */
  readonly previous?: RingKey
  readonly previousUntil?: string
  /**
   * Certificates in the metadata now, oldest first (previous, signing, next): the order does not
   * change when the new key starts signing, so neither does the metadata.
   */
  readonly published: readonly string[]
}

/** `rollover`: publish the new certificate now, sign with it after the rollover period. `now`: sign with it at once. */
export type RotationMode = 'rollover' | 'now'

const iso = (ms: number) => new Date(ms).toISOString()

/** The signing keys of one tenant; see the module documentation. */
export class SigningKeyRing {
  private readonly file: string
  private cached?: { readonly mtimeMs: number; readonly keys: readonly RingKey[] }

  /**
   * @param dataDir the demo's `DATA_DIR`
   * @param name file name stem, e.g. `idp-acme`
   * @param commonName subject of the certificates generated for it
   * @param rolloverMs how long a new certificate is published before it signs, and an old one after
   */
  constructor(
    private readonly dataDir: string,
    private readonly name: string,
    private readonly commonName: string,
    readonly rolloverMs: number,
  ) {
    if (!Number.isInteger(rolloverMs) || rolloverMs < 0)
      throw new TypeError('"rolloverMs" must be a non-negative integer number of milliseconds')
    this.file = join(ensureDir(join(dataDir, 'keys')), `${name}.keys.json`)
  }

  /** The keys, oldest first: the ring file, or the tenant's first key pair before any rotation. */
  private keys(): readonly RingKey[] {
    if (!existsSync(this.file)) {
      const first = loadOrCreateKeyPair(this.dataDir, this.name, this.commonName)
      return [{ ...first, signFrom: iso(0), createdAt: iso(0) }]
    }
    const { mtimeMs } = statSync(this.file)
    if (this.cached?.mtimeMs !== mtimeMs) {
      const keys = JSON.parse(readFileSync(this.file, 'utf8')) as RingKey[]
      if (!Array.isArray(keys) || keys.length === 0) throw new Error(`${this.file} holds no keys`)
      this.cached = { mtimeMs, keys }
    }
    return this.cached.keys
  }

  private save(keys: readonly RingKey[]): void {
    // Write then rename: another instance never reads half a file.
    const temp = `${this.file}.${process.pid}.tmp`
    writeFileSync(temp, JSON.stringify(keys, null, 2), { mode: 0o600 })
    renameSync(temp, this.file)
    this.cached = undefined
  }

  /**
   * Where the keys stand at `now`.
   *
   * @example
   * ```ts
   * ring.state().published.length // 2 during a rollover
   * ```
   */
  state(now = Date.now()): SigningKeyState {
    const keys = this.keys()
    let i = 0
    while (i + 1 < keys.length && Date.parse(keys[i + 1]!.signFrom) <= now) i++
    const signing = keys[i]!
    const next = keys[i + 1]
    const previousUntil = Date.parse(signing.signFrom) + this.rolloverMs
    const previous = i > 0 && now < previousUntil ? keys[i - 1] : undefined
    const published = [previous, signing, next].filter((k): k is RingKey => k !== undefined)
    return {
      signing,
      ...(next && { next }),
      ...(previous && { previous, previousUntil: iso(previousUntil) }),
      published: published.map((k) => k.cert),
    }
  }

  /**
   * Generates a new key pair and adds it: published at once, signing after the rollover period
   * (`rollover`) or at once (`now`). Refused (409) while a rotation is under way.
   *
   * @example
   * ```ts
   * ring.rotate('rollover') // the metadata now lists both certificates
   * ```
   */
  rotate(mode: RotationMode, now = Date.now()): RingKey {
    const state = this.state(now)
    if (state.next) {
      throw new IdpError(
        `a key rotation is under way (the new key signs from ${state.next.signFrom}); finish it first`,
        409,
      )
    }
    const pair = createSelfSignedCertificate({ commonName: `${this.commonName} (${iso(now).slice(0, 10)})` })
    const key: RingKey = {
      ...pair,
      signFrom: iso(mode === 'now' ? now : now + this.rolloverMs),
      createdAt: iso(now),
    }
    // Keys that will not be published again are dropped. Signing at once, the key signing now becomes
    // the previous one; after a rollover period, the previous one may still be published meanwhile.
    const keep = mode === 'now' ? [state.signing] : [state.previous, state.signing]
    this.save([...keep.filter((k): k is RingKey => k !== undefined), key])
    return key
  }

  /**
   * Ends a rollover early: the new key signs from `now`. False when no rotation is under way.
   *
   * @example
   * ```ts
   * ring.signWithNextNow()
   * ```
   */
  signWithNextNow(now = Date.now()): boolean {
    const state = this.state(now)
    if (!state.next) return false
    this.save([state.signing, { ...state.next, signFrom: iso(now) }])
    return true
  }
}
