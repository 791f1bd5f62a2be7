// Rewrites the interop matrix of docs/interop.md from what the interop specs last proved
// (test-output/interop/<idp>.json, written by each spec's last test). Run the specs first:
//
//   node scripts/run-specs.mjs --express=5 spec/interop && npm run interop:table
//
// The specs then check the committed table against their results, so it never claims more than a run proved.
import { writeMatrix } from '../spec/interop/matrix.ts'

await writeMatrix()
console.log('docs/interop.md: interop matrix rewritten from test-output/interop/')
