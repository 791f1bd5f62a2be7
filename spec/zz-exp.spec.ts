import assert from 'node:assert/strict'
import { it } from 'node:test'
it('A', async (t) => {
  t.mock.timers.enable({ apis: ['setTimeout'] })
  for (let i = 0; i < 3; i++) {
    let fired = false
    const h = setTimeout(() => (fired = true), 300)
    t.mock.timers.tick(299); t.mock.timers.tick(1)
    assert.ok(fired)
    clearTimeout(h)
  }
})
it('B', async (t) => {
  t.mock.timers.enable({ apis: ['setTimeout'] })
  let fired = 0
  setTimeout(() => (fired |= 1), 500)
  setTimeout(() => (fired |= 2), 100)
  t.mock.timers.tick(100)
  setTimeout(() => (fired |= 4), 200)
  t.mock.timers.tick(200)
  setTimeout(() => (fired |= 8), 300)
  t.mock.timers.tick(199); t.mock.timers.tick(1)
  assert.equal(fired, 7)
})
