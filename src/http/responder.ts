import { Inject, Injectable } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { AUTH_CONFIG } from '../nest/auth.constants';
import type { AuthConfig } from '../nest/auth-config';
import { devUserBanner } from './pages/dev-user-banner';
import { HTML_PAGE_HEADERS, SECRET_PAGE_HEADERS } from './pages/html';

/** How an HTML page is answered; a page that shows a secret is kept out of caches and Referer headers. */
export interface HtmlPageOptions {
  readonly showsSecret?: boolean;
}

/**
 * Writes responses through Nest's HTTP adapter, so the module's controllers answer
 * the same way on Express and on Fastify.
 */
@Injectable()
export class Responder {
  /** Put at the top of every page while `devUser` is on, so nobody mistakes the mode. */
  private readonly banner: string;

  constructor(
    private readonly adapterHost: HttpAdapterHost,
    @Inject(AUTH_CONFIG) config: AuthConfig,
  ) {
    this.banner = config.devUser === null ? '' : devUserBanner(config.devUser);
  }

  json(response: unknown, status: number, body: object, cookies: readonly string[] = []): void {
    this.prepare(response, cookies, 'application/json; charset=utf-8', true);
    this.adapter.reply(response, body, status);
  }

  html(response: unknown, status: number, html: string, cookies: readonly string[] = [], options: HtmlPageOptions = {}): void {
    this.prepare(response, cookies, 'text/html; charset=utf-8', true);
    this.setHeaders(response, HTML_PAGE_HEADERS);
    if (options.showsSecret === true) this.setHeaders(response, SECRET_PAGE_HEADERS);
    this.adapter.reply(response, this.banner === '' ? html : html.replace('<body>', `<body>${this.banner}`), status);
  }

  /** Sets one header of the answer about to be written. */
  header(response: unknown, name: string, value: string): void {
    this.adapter.setHeader(response, name, value);
  }

  redirect(response: unknown, location: string, cookies: readonly string[] = []): void {
    this.prepare(response, cookies, undefined, false);
    this.adapter.redirect(response, 302, percentEncodedLocation(location));
  }

  private prepare(response: unknown, cookies: readonly string[], contentType: string | undefined, noStore: boolean): void {
    if (cookies.length > 0) this.adapter.setHeader(response, 'Set-Cookie', cookies as unknown as string);
    if (contentType !== undefined) this.adapter.setHeader(response, 'Content-Type', contentType);
    // Every answer of the module depends on who asks; no shared cache may keep one.
    if (noStore) this.adapter.setHeader(response, 'Cache-Control', 'no-store');
  }

  private setHeaders(response: unknown, headers: Readonly<Record<string, string>>): void {
    for (const [name, value] of Object.entries(headers)) this.adapter.setHeader(response, name, value);
  }

  private get adapter() {
    const adapter = this.adapterHost.httpAdapter;
    return adapter;
  }
}

/**
 * `location` with every character outside printable ASCII percent-encoded as UTF-8,
 * escapes already there kept: a header may carry only Latin-1 (Fastify refuses the
 * rest with a 500), and a browser reads the bytes as UTF-8.
 *
 * @example percentEncodedLocation('/€?q=a b') // '/%E2%82%AC?q=a%20b'
 */
export function percentEncodedLocation(location: string): string {
  return location.replace(/[^\x21-\x7e]+/gu, (run) => {
    let encoded = '';
    for (const byte of Buffer.from(run, 'utf8')) encoded += `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
    return encoded;
  });
}
