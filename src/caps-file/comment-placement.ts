import { isCollection, isScalar, visit, type Document } from 'yaml';

const COMMENT_AFTER_KEY = /^[ \t]*:[ \t]+#/;

/**
 * Puts back comments that the yaml library reads fine but would print elsewhere, so
 * that a file written back looks like the file a person wrote. `source` is the text
 * `document` was parsed from. The spacing before a comment is not kept: the library
 * prints one space.
 */
export function keepCommentsInPlace(document: Document, source: string): void {
  keepKeyLineComments(document, source);
  keepClosingComment(document, source);
}

/**
 * A comment after a key whose value is a block below it (`users:   # email -> ...`)
 * is read as the first comment before the value and would be printed on the next
 * line (eemeli/yaml#602); moving it to the key keeps it on the key's line.
 */
function keepKeyLineComments(document: Document, source: string): void {
  visit(document, {
    Pair(_, pair) {
      const { key, value } = pair;
      if (!isScalar(key) || key.range == null || key.comment != null) return;
      if (!isCollection(value) || value.flow === true || value.commentBefore == null) return;
      const lineEnd = source.indexOf('\n', key.range[1]);
      const restOfKeyLine = source.slice(key.range[1], lineEnd === -1 ? undefined : lineEnd);
      if (!COMMENT_AFTER_KEY.test(restOfKeyLine)) return;
      const [keyLineComment, ...below] = value.commentBefore.split('\n');
      key.comment = keyLineComment ?? null;
      value.commentBefore = below.length > 0 ? below.join('\n') : null;
    },
  });
}

/**
 * The comment closing the file is printed after a blank line whether or not there
 * was one; held by the top-level mapping instead, it follows the last line directly.
 */
function keepClosingComment(document: Document, source: string): void {
  const contents = document.contents;
  if (document.comment == null || !isCollection(contents) || contents.comment != null || contents.range == null) return;
  const contentEnd = contents.range[2];
  const gap = source.slice(contentEnd, source.indexOf('#', contentEnd));
  if (gap.includes('\n')) return;
  contents.comment = document.comment;
  document.comment = null;
}
