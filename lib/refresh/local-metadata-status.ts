import { hasMetadataStatus, type IdpStore, type MetadataStatusStore } from '../store/idp-store.js'
import { claimable, type IdpMetadataStatus } from '../store/metadata-status.js'

/** The three metadata-status methods, whoever keeps them. */
export type MetadataStatusKeeper = Pick<
  MetadataStatusStore,
  'getMetadataStatus' | 'claimMetadataRefresh' | 'saveMetadataStatus'
>

/**
 * The store itself when it has the metadata-refresh capability; otherwise the same three methods
 * over this process's memory (statuses are lost on restart and every instance fetches on its own,
 * as any refresher without a shared store must).
 */
export function metadataStatusKeeper(store: IdpStore): MetadataStatusKeeper {
  if (hasMetadataStatus(store)) return store
  const states = new Map<string, { status?: IdpMetadataStatus; lease?: { holder: string; until: number } }>()
  return {
    getMetadataStatus: async (id) => states.get(id)?.status,
    claimMetadataRefresh: async (id, holder, now, leaseMs) => {
      const state = states.get(id) ?? {}
      if (!claimable(state, holder, now)) return false
      states.set(id, { ...state, lease: { holder, until: now + leaseMs } })
      return true
    },
    saveMetadataStatus: async (id, status, holder) => {
      const lease = states.get(id)?.lease
      states.set(id, {
        status: Object.freeze({ ...status }),
        ...(lease && lease.holder !== holder && { lease }),
      })
      return true
    },
  }
}
