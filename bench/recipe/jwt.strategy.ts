import { Injectable } from '@nestjs/common';
import { PassportStrategy } from '@nestjs/passport';
import type { KeyObject } from 'node:crypto';
import { ExtractJwt, Strategy } from 'passport-jwt';

/**
 * The JwtStrategy of the NestJS authentication docs (passport-jwt), given the secret
 * as a string (as the docs show) or as a KeyObject made once.
 */
@Injectable()
export class JwtStrategy extends PassportStrategy(Strategy) {
  constructor(secret: string | KeyObject) {
    super({
      jwtFromRequest: ExtractJwt.fromAuthHeaderAsBearerToken(),
      ignoreExpiration: false,
      // passport-jwt hands secretOrKey to jsonwebtoken, which accepts a KeyObject at run time.
      secretOrKey: secret as string,
      algorithms: ['HS256'],
    });
  }

  validate(payload: { sub: string; username: string; roles: string[] }): { userId: string; username: string; roles: string[] } {
    return { userId: payload.sub, username: payload.username, roles: payload.roles };
  }
}
