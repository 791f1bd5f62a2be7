import { createReadStream, readFileSync } from 'node:fs'
import { readSignedAggregate } from './lib/federation/read-signed-aggregate.js'
import { compileTrustedKeys } from './lib/xmldsig/trusted-keys.js'
import { normalizeIdpRecord } from './lib/record/normalize-idp-record.js'
const dir = process.argv[2]!
const trust = compileTrustedKeys([readFileSync('spec/fixtures/keys/idp-globex.cert.pem', 'utf8')], 'x')
let t = performance.now()
const agg = await readSignedAggregate(createReadStream(`${dir}/aggregate.xml`, { highWaterMark: 1 << 16 }), trust)
console.log('stream+verify', (performance.now() - t).toFixed(0), agg.entities.length, process.resourceUsage().maxRSS / 1024)
t = performance.now()
for (const e of agg.entities.slice(0, 1000)) normalizeIdpRecord({ id: 'x', metadataXml: e.xml })
console.log('normalize 1000', (performance.now() - t).toFixed(0))
