import { InvalidInputError } from '../errors';

/** Express's body-parser errors (they carry a `type`), by what they say of the body. */
const BODY_PARSER_TYPES: Readonly<Record<string, () => InvalidInputError>> = {
  'entity.parse.failed': () => notJson(),
  'entity.too.large': () => tooLarge(),
  'parameters.too.many': () => new InvalidInputError('BODY_TOO_LARGE', 'body', 'the form has more fields than this server accepts'),
  'querystring.parse.rangeError': () => new InvalidInputError('BODY_INVALID', 'body', 'the form is nested deeper than this server accepts'),
  'charset.unsupported': () => unsupportedCharset(),
  'encoding.unsupported': () => new InvalidInputError('MEDIA_TYPE_UNSUPPORTED', 'body', 'the body must not be compressed with that Content-Encoding'),
  'request.aborted': () => unreadable(),
  'request.size.invalid': () => unreadable(),
};

/** Fastify's content-type parser errors (`FST_ERR_CTP_*`), likewise. */
const FASTIFY_PARSER_CODES: Readonly<Record<string, () => InvalidInputError>> = {
  FST_ERR_CTP_INVALID_JSON_BODY: () => notJson(),
  FST_ERR_CTP_EMPTY_JSON_BODY: () => new InvalidInputError('BODY_INVALID', 'body', 'the body is empty, but its Content-Type says JSON'),
  FST_ERR_CTP_BODY_TOO_LARGE: () => tooLarge(),
  // A type no parser reads: a malformed body (400), as the routes answer a type they do not read.
  FST_ERR_CTP_INVALID_MEDIA_TYPE: () => new InvalidInputError('INVALID_REQUEST', 'body', 'the body must be of the type this route reads (JSON, or a form for the admin page)'),
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: () => unreadable(),
};

/**
 * The module's refusal of a body that the application's body parser rejected before
 * any handler ran: `BODY_INVALID` (400), `BODY_TOO_LARGE` (413),
 * `MEDIA_TYPE_UNSUPPORTED` (415, a charset or encoding) or `INVALID_REQUEST` (400, a
 * type nothing parses), with a fixed message (the parser's own may quote the body). Undefined for any other error, which stays the application's to answer.
 *
 * @example
 * parserRefusalOf(Object.assign(new SyntaxError('Unexpected token'), { status: 400, type: 'entity.parse.failed' }))?.code // 'BODY_INVALID'
 */
export function parserRefusalOf(error: unknown): InvalidInputError | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const { type, code } = error as { type?: unknown; code?: unknown };
  if (typeof type === 'string' && Object.hasOwn(BODY_PARSER_TYPES, type)) return BODY_PARSER_TYPES[type]!();
  if (typeof code === 'string' && Object.hasOwn(FASTIFY_PARSER_CODES, code)) return FASTIFY_PARSER_CODES[code]!();
  return undefined;
}

function notJson(): InvalidInputError {
  return new InvalidInputError('BODY_INVALID', 'body', 'the body is not valid JSON');
}

function tooLarge(): InvalidInputError {
  return new InvalidInputError('BODY_TOO_LARGE', 'body', 'the body is larger than this server accepts');
}

function unsupportedCharset(): InvalidInputError {
  return new InvalidInputError('MEDIA_TYPE_UNSUPPORTED', 'body', 'the body must be UTF-8 (no other charset in its Content-Type)');
}

function unreadable(): InvalidInputError {
  return new InvalidInputError('BODY_INVALID', 'body', 'the body could not be read in full');
}
