// `npm run bench [section...]`: runs every benchmark section, or the named ones (acs, federation, http, scale, traces, users).
import { run as runAcs } from './acs.js'
import { run as runFederation } from './federation.js'
import { run as runHttp } from './http.js'
import { run as runScale } from './scale.js'
import { run as runTraces } from './traces.js'
import { run as runUsers } from './users.js'

const sections: Record<string, () => Promise<void>> = {
  acs: runAcs,
  federation: runFederation,
  http: runHttp,
  scale: runScale,
  traces: runTraces,
  users: runUsers,
}
const wanted = process.argv.slice(2)
for (const name of wanted) {
  if (!(name in sections)) {
    console.error(`unknown bench section "${name}"; sections: ${Object.keys(sections).join(', ')}`)
    process.exit(2)
  }
}
for (const [name, run] of Object.entries(sections)) {
  if (wanted.length > 0 && !wanted.includes(name)) continue
  await run()
}
