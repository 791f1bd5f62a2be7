/**
 * Where the time of this strategy's ACS path goes, stage by stage: strict base64 decoding, the
 * pre-parse scan, the xmldom parse, and `validateResponse` (structure, signatures, decryption,
 * conditions, attributes). The end-to-end time minus these stages is the rest of the path: Passport
 * edge, IdP store lookup, replay cache, profile mapping and verify. The stages are cache-free, so
 * they run on the same responses the end-to-end timing uses, taking turns with it.
 *
 * @module
 */
import { hrtime } from 'node:process'
import type { IdpStore, ServiceProviderOptions } from '../../lib/index.js'
import { compileIdp } from '../../lib/core/compile-idp.js'
import { resolveServiceProvider } from '../../lib/core/sp-options.js'
import { validateResponse, type ResponsePolicy } from '../../lib/validate/validate-response.js'
import { decodeBase64Strict } from '../../lib/xml/base64.js'
import { MESSAGE_XML_LIMITS, parseXml, scanXml, type XmlLimits } from '../../lib/xml/parse-xml.js'
import type { TestResponse } from '../../spec/support/test-idp.js'
import { floorParse } from './floor.js'
import { summarize } from './stats.js'

/** Median ms of each stage. */
export interface Breakdown {
  readonly base64: number
  readonly scan: number
  readonly parse: number
  readonly validate: number
  /** The floor's base64 decode + xmldom parse, for comparison with base64 + scan + parse. */
  readonly floorParse: number
}

type Stage = keyof Breakdown

function since(start: bigint): bigint {
  return hrtime.bigint() - start
}

/** Times the stages of ours for one IdP, response by response. */
export class StageTimer {
  private readonly samples: Record<Stage, bigint[]> = {
    base64: [],
    scan: [],
    parse: [],
    validate: [],
    floorParse: [],
  }

  private constructor(
    private readonly policy: ResponsePolicy,
    private readonly limits: XmlLimits,
  ) {}

  /** A timer using the policy the core compiles for IdP `idp` of `store` (the strategy's settings). */
  static async create(
    store: IdpStore,
    idp: string,
    sp: ServiceProviderOptions,
    clockSkewMs: number,
  ): Promise<StageTimer> {
    const record = await store.get(idp)
    if (!record) throw new Error(`bench acs: no IdP record ${idp}`)
    const settings = {
      sp: resolveServiceProvider(sp),
      clockSkewMs,
      limits: MESSAGE_XML_LIMITS,
      logoutMaxAgeMs: 600_000,
    }
    return new StageTimer(compileIdp(record, settings).policy, MESSAGE_XML_LIMITS)
  }

  /** Runs every stage on one response. */
  run(response: TestResponse): void {
    let t = hrtime.bigint()
    const bytes = decodeBase64Strict(response.base64)
    this.samples.base64.push(since(t))
    if (!bytes) throw new Error('bench acs: response is not base64')
    const xml = bytes.toString('utf8')
    t = hrtime.bigint()
    scanXml(xml, this.limits, 'ERR_SAML_MALFORMED')
    const scanned = since(t)
    this.samples.scan.push(scanned)
    t = hrtime.bigint()
    const doc = parseXml(xml, this.limits)
    this.samples.parse.push(since(t) - scanned)
    t = hrtime.bigint()
    validateResponse(doc, this.policy, Date.now())
    this.samples.validate.push(since(t))
    t = hrtime.bigint()
    floorParse(response.base64)
    this.samples.floorParse.push(since(t))
  }

  /** Median of each stage so far. */
  medians(): Breakdown {
    const median = (stage: Stage) => summarize(this.samples[stage], 1n).medianMs
    return {
      base64: median('base64'),
      scan: median('scan'),
      parse: median('parse'),
      validate: median('validate'),
      floorParse: median('floorParse'),
    }
  }
}
