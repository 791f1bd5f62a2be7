// docs/attribute-mapping.md has one table per preset (and the default map): every field with its
// candidates, best first. This spec reads those tables and holds them to the maps themselves, so the
// page an admin reads is the map the library runs.
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { describe, it } from 'node:test'
import { compileAttributeMap } from '../../lib/profile/map-profile.js'
import { defaultAttributeMap, presets, type AttributePresetName } from '../../lib/profile/presets.js'
import type { AttributeMap } from '../../lib/profile/types.js'

const doc = readFileSync(new URL('../../docs/attribute-mapping.md', import.meta.url), 'utf8')

/** The table under `### <name>`: field name → candidates, best first. */
function documentedTable(name: string): Map<string, string[]> {
  const start = doc.indexOf(`\n### ${name}\n`)
  assert.ok(start >= 0, `docs/attribute-mapping.md has no "### ${name}" section`)
  const end = doc.indexOf('\n#', start + 5)
  const rows = new Map<string, string[]>()
  for (const line of doc.slice(start, end === -1 ? undefined : end).split('\n')) {
    const cells = /^\| `(\w+)`[^|]*\|(.*)\|\s*$/.exec(line)
    if (!cells) continue
    rows.set(
      cells[1]!,
      cells[2]!
        .split('<br>')
        .map((c) => c.trim().replace(/^`|`$/g, ''))
        .filter((c) => c !== ''),
    )
  }
  return rows
}

function compiledTable(map: AttributeMap): Map<string, string[]> {
  return new Map(compileAttributeMap(map).fields.map((f) => [f.name, [...f.from]]))
}

describe('docs/attribute-mapping.md: the preset tables', () => {
  for (const name of Object.keys(presets) as AttributePresetName[]) {
    it(`${name}: every field and candidate, in order`, () => {
      assert.deepEqual(documentedTable(name), compiledTable(presets[name]))
    })
  }
  it('default: every field and candidate, in order', () => {
    assert.deepEqual(documentedTable('default'), compiledTable(defaultAttributeMap))
  })
})
