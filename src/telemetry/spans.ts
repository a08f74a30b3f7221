import { SpanStatusCode, type Attributes, type Span } from '@opentelemetry/api';
import { moduleTracer } from './instrumentation';

/** The spans the module records: rare operations only, never one per check. */
export type SpanName = 'nest_capabilities.sign_in' | 'nest_capabilities.token.mint' | 'nest_capabilities.manage' | 'nest_capabilities.store.reload';

/**
 * Runs `work` inside span `name` (a child of the active span), ended when it settles;
 * a rejection marks the span an error with the error's `code` when it has one, never its
 * message (which may name an account). A no-op span until an SDK registers a tracer provider.
 *
 * @example
 * await inSpan('nest_capabilities.sign_in', { provider: 'github' }, () => signIn());
 */
export function inSpan<T>(name: SpanName, attributes: Attributes, work: () => Promise<T>): Promise<T> {
  return moduleTracer().startActiveSpan(name, { attributes }, async (span) => {
    try {
      return await work();
    } catch (error) {
      markFailed(span, error);
      throw error;
    } finally {
      span.end();
    }
  });
}

/** As `inSpan`, for synchronous work. */
export function inSpanSync<T>(name: SpanName, attributes: Attributes, work: () => T): T {
  return moduleTracer().startActiveSpan(name, { attributes }, (span) => {
    try {
      return work();
    } catch (error) {
      markFailed(span, error);
      throw error;
    } finally {
      span.end();
    }
  });
}

function markFailed(span: Span, error: unknown): void {
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code !== 'string') {
    span.setStatus({ code: SpanStatusCode.ERROR });
    return;
  }
  span.setStatus({ code: SpanStatusCode.ERROR, message: code });
  span.setAttribute('error.code', code);
}
