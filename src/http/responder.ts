import { Injectable } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';

/**
 * Writes responses through Nest's HTTP adapter, so the module's controllers answer
 * the same way on Express and on Fastify.
 */
@Injectable()
export class Responder {
  constructor(private readonly adapterHost: HttpAdapterHost) {}

  json(response: unknown, status: number, body: object, cookies: readonly string[] = []): void {
    this.prepare(response, cookies, 'application/json; charset=utf-8', true);
    this.adapter.reply(response, body, status);
  }

  html(response: unknown, status: number, html: string, cookies: readonly string[] = []): void {
    this.prepare(response, cookies, 'text/html; charset=utf-8', true);
    this.adapter.reply(response, html, status);
  }

  redirect(response: unknown, location: string, cookies: readonly string[] = []): void {
    this.prepare(response, cookies, undefined, false);
    this.adapter.redirect(response, 302, location);
  }

  private prepare(response: unknown, cookies: readonly string[], contentType: string | undefined, noStore: boolean): void {
    if (cookies.length > 0) this.adapter.setHeader(response, 'Set-Cookie', cookies as unknown as string);
    if (contentType !== undefined) this.adapter.setHeader(response, 'Content-Type', contentType);
    // Every answer of the module depends on who asks; no shared cache may keep one.
    if (noStore) this.adapter.setHeader(response, 'Cache-Control', 'no-store');
  }

  private get adapter() {
    const adapter = this.adapterHost.httpAdapter;
    return adapter;
  }
}
