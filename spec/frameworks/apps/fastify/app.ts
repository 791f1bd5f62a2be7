// A Fastify 5 app with @fastify/passport and @fastify/session, wired as docs/frameworks.md shows,
// importing the built package by its name. Run by spec/frameworks/fastify.spec.ts as
// `node --import tsx app.ts` with BASE_URL, PORT, IDP_RECORDS (JSON), SP_KEY and SP_CERT set.
import type { AddressInfo } from 'node:net'
import fastifyCookie from '@fastify/cookie'
import fastifyPassport from '@fastify/passport'
import fastifySession from '@fastify/session'
import Fastify, { type PassportUser } from 'fastify'
import { MemoryIdpStore, MultiIdpSamlStrategy, type IdpRecordInput } from 'passport-saml-multi-idp'
import { samlPlugin } from 'passport-saml-multi-idp/fastify'
import { reportReady } from '../report-ready.cjs'

declare module 'fastify' {
  interface PassportUser {
    id: string
    email?: string
  }
}

const baseUrl = process.env.BASE_URL ?? 'http://localhost:3000'

const store = new MemoryIdpStore()
for (const record of JSON.parse(process.env.IDP_RECORDS ?? '[]') as IdpRecordInput[]) await store.put(record)

const strategy = new MultiIdpSamlStrategy(
  { store, sp: { baseUrl, signingKey: process.env.SP_KEY, signingCert: process.env.SP_CERT } },
  async (profile): Promise<PassportUser> => ({
    id: `${profile.idp}:${profile.nameID}`,
    email: profile.mapped.email,
  }),
)
fastifyPassport.registerUserSerializer(async (user: PassportUser) => user)
fastifyPassport.registerUserDeserializer(async (user: PassportUser) => user)

const app = Fastify()
await app.register(fastifyCookie)
await app.register(fastifySession, {
  secret: process.env.SESSION_SECRET ?? 'dev only: set SESSION_SECRET, 32 characters or more',
  saveUninitialized: false,
  cookie: { httpOnly: true, sameSite: 'lax', secure: baseUrl.startsWith('https:') },
})
await app.register(fastifyPassport.initialize())
await app.register(fastifyPassport.secureSession())
await app.register(samlPlugin, { prefix: '/saml', strategy, passport: fastifyPassport })

app.get('/me', async (request, reply) => {
  if (!request.user) {
    return reply.code(401).send({ error: { code: 'ERR_NOT_SIGNED_IN', message: 'sign in first' } })
  }
  return request.user
})

await app.listen({ port: Number(process.env.PORT ?? 3000), host: '127.0.0.1' })
reportReady((app.server.address() as AddressInfo).port)
