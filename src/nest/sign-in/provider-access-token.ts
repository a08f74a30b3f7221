import { createParamDecorator, Injectable, type ExecutionContext, type PipeTransform } from '@nestjs/common';
import type { IncomingHttpHeaders } from 'node:http';
import { ProviderApiTokens } from './provider-api-tokens';

interface HttpExchange {
  readonly request: { readonly headers: IncomingHttpHeaders };
  readonly response: unknown;
}

/** Turns the request and response into the user's fresh provider access token. */
@Injectable()
export class ProviderAccessTokenPipe implements PipeTransform<HttpExchange, Promise<string | null>> {
  constructor(private readonly tokens: ProviderApiTokens) {}

  transform(exchange: HttpExchange): Promise<string | null> {
    return this.tokens.accessToken(exchange.request, exchange.response);
  }
}

const exchangeOf = createParamDecorator((_data: unknown, context: ExecutionContext): HttpExchange => {
  const http = context.switchToHttp();
  return { request: http.getRequest(), response: http.getResponse() };
});

/**
 * The signed-in user's access token at their sign-in provider, refreshed when it is
 * about to expire (see `ProviderApiTokens.accessToken`); null without one.
 *
 * @example
 * @Get('calendar')
 * async calendar(@ProviderAccessToken() token: string | null) {
 *   return fetch('https://www.googleapis.com/calendar/v3/users/me/calendarList', { headers: { authorization: `Bearer ${token}` } }).then((r) => r.json());
 * }
 */
export function ProviderAccessToken(): ParameterDecorator {
  return exchangeOf(undefined, ProviderAccessTokenPipe);
}
