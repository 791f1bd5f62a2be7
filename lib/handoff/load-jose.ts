import type * as jose from 'jose'
import { importOptionalPeer } from '../optional-peers/import-optional-peer.js'

type Jose = typeof jose

let loading: Promise<Jose> | undefined

/**
 * `jose`, loaded on first use: it is ESM only, so loading it lazily keeps the CommonJS build of
 * the main entry loadable on every Node 20 (CommonJS apps that use the hand-off need a Node that
 * can `require` ESM: 20.19 or later).
 */
export function loadJose(): Promise<Jose> {
  loading ??= importOptionalPeer('jose', 'The token hand-off', () => import('jose')).catch((err: unknown) => {
    loading = undefined
    throw err
  })
  return loading
}
