// A NestJS app (platform-express) with @nestjs/passport, wired as docs/frameworks.md shows, importing
// the built package by its name. Run by spec/frameworks/nest.spec.ts as `node --import tsx main.ts`
// with BASE_URL, PORT, IDP_RECORDS (JSON), SP_KEY and SP_CERT in the environment.
import 'reflect-metadata'
import type { AddressInfo } from 'node:net'
import { Controller, Get, Injectable, Module, Req, UnauthorizedException } from '@nestjs/common'
import { NestFactory } from '@nestjs/core'
import { PassportSerializer } from '@nestjs/passport'
import type { NestExpressApplication } from '@nestjs/platform-express'
import type { Request } from 'express'
import session from 'express-session'
import passport from 'passport'
import {
  MemoryIdpStore,
  type IdpRecordInput,
  type MultiIdpSamlStrategyOptions,
} from 'passport-saml-multi-idp'
import { reportReady } from '../report-ready.cjs'
import { SamlExceptionFilter } from './saml-exception.filter.js'
import { SAML_OPTIONS, SamlController, SamlStrategy, type AppUser } from './saml.js'

const baseUrl = process.env.BASE_URL ?? 'http://localhost:3000'

@Injectable()
class SessionSerializer extends PassportSerializer {
  serializeUser(user: AppUser, done: (err: Error | null, user: AppUser) => void): void {
    done(null, user)
  }
  deserializeUser(user: AppUser, done: (err: Error | null, user: AppUser) => void): void {
    done(null, user)
  }
}

@Controller()
class MeController {
  @Get('me')
  me(@Req() req: Request): Express.User {
    if (!req.user) throw new UnauthorizedException('sign in first')
    return req.user
  }
}

@Module({
  controllers: [SamlController, MeController],
  providers: [
    {
      provide: SAML_OPTIONS,
      useFactory: async (): Promise<MultiIdpSamlStrategyOptions> => {
        const store = new MemoryIdpStore()
        for (const record of JSON.parse(process.env.IDP_RECORDS ?? '[]') as IdpRecordInput[]) {
          await store.put(record)
        }
        return { store, sp: { baseUrl, signingKey: process.env.SP_KEY, signingCert: process.env.SP_CERT } }
      },
    },
    SamlStrategy,
    SessionSerializer,
  ],
})
class AppModule {}

const app = await NestFactory.create<NestExpressApplication>(AppModule, { logger: ['error', 'warn'] })
app.useBodyParser('urlencoded', { extended: false, limit: '512kb' }) // SAML responses are large
app.use(
  session({
    secret: process.env.SESSION_SECRET ?? 'dev only, set SESSION_SECRET',
    resave: false,
    saveUninitialized: false,
    cookie: { httpOnly: true, sameSite: 'lax', secure: baseUrl.startsWith('https:') },
  }),
)
app.use(passport.session())
app.useGlobalFilters(new SamlExceptionFilter())
await app.listen(Number(process.env.PORT ?? 3000), '127.0.0.1')
reportReady((app.getHttpServer().address() as AddressInfo).port)
