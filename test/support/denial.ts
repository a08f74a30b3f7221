import assert from 'node:assert/strict';
import type { CapabilitiesErrorCode } from '../../src/errors';

/** An HTTP answer as the test clients give it: ours (`json`) or supertest's (`body`). */
interface Answer {
  readonly status: number;
  readonly text: string;
  readonly json?: unknown;
  readonly body?: unknown;
}

/**
 * Asserts that `answer` is the module's JSON denial `{statusCode, message, code}` with
 * this status and this code, so a test tells a revoked token from an expired one and a
 * missing capability from a missing sign-in, not only 401 from 403.
 */
export function expectDenial(answer: Answer, status: number, code: CapabilitiesErrorCode, what?: string): void {
  const context = `${what === undefined ? '' : `${what}: `}${answer.text}`;
  assert.equal(answer.status, status, context);
  assert.equal(fieldOf(answer, 'code'), code, context);
  assert.equal(fieldOf(answer, 'statusCode'), status, context);
}

/**
 * Asserts that `answer` is the module's HTML refusal page with this status and this code:
 * marked `data-code` for scripts and shown as `code: …` for a person, so a browser's
 * refusal is told apart as precisely as a JSON one.
 */
export function expectHtmlDenial(answer: Answer, status: number, code: CapabilitiesErrorCode, what?: string): void {
  const context = `${what === undefined ? '' : `${what}: `}${answer.text}`;
  assert.equal(answer.status, status, context);
  assert.match(answer.text, /^<!doctype html>/, context);
  assert.equal(htmlCodeOf(answer.text), code, context);
  assert.match(answer.text, new RegExp(`code: <code id="code">${code}</code>`), context);
}

/** The `data-code` of an HTML refusal page, or undefined for a page that refuses nothing. */
export function htmlCodeOf(html: string): string | undefined {
  return /\sdata-code="([A-Z_]+)"/.exec(html)?.[1];
}

/** The `code` of a JSON denial, or undefined for any other answer: for loops that wait on a denial. */
export function codeOf(answer: Answer): unknown {
  return fieldOf(answer, 'code');
}

function fieldOf(answer: Answer, field: 'code' | 'statusCode'): unknown {
  const body = answer.json ?? answer.body;
  return typeof body === 'object' && body !== null ? (body as Record<string, unknown>)[field] : undefined;
}
