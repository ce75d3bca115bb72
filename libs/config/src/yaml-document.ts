import { Document, LineCounter, isAlias, isNode, parseDocument, visit } from 'yaml';
import type { z } from 'zod';

/** What is wrong with a YAML document, at which line (1-based). */
export interface YamlFault {
  line: number;
  /** `path: message` for a schema issue, the parser's first line for a syntax error */
  message: string;
}

export type YamlParse<T> = { data: T; lineOf: (path: readonly PropertyKey[]) => number } | { fault: YamlFault };

/**
 * Parses a YAML (or JSON) document of a file a person writes and checks it against a schema; any
 * fault names its line, and `lineOf` gives the line of any path for checks made after the schema's.
 * Never throws: whatever the parser refuses (syntax, an alias bomb, nesting too deep for the stack)
 * is a fault of the document, not of the caller.
 */
export function parseYaml<T>(text: string, schema: z.ZodType<T>): YamlParse<T> {
  const lines = new LineCounter();
  let doc: Document;
  let value: unknown;
  try {
    doc = parseDocument(text, { lineCounter: lines, uniqueKeys: true });
  } catch (err) {
    return { fault: { line: 1, message: `unreadable YAML: ${firstLine(err)}` } };
  }
  const syntax = doc.errors[0];
  if (syntax) return { fault: { line: syntax.linePos?.[0].line ?? 1, message: syntax.message.split('\n')[0] } };
  try {
    value = doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
  } catch (err) {
    return { fault: { line: firstAliasLine(doc, lines), message: `unreadable YAML: ${firstLine(err)}` } };
  }
  const lineOf = (path: readonly PropertyKey[]) => lineAt(doc, lines, path);
  const parsed = schema.safeParse(value);
  if (parsed.success) return { data: parsed.data, lineOf };
  const issue = parsed.error.issues[0];
  return { fault: { line: lineOf(issue.path), message: `${issue.path.join('.') || '(top)'}: ${issue.message}` } };
}

/** How many nodes aliases may expand to, in all (the library's default): a document a person writes needs few. */
const MAX_ALIAS_COUNT = 100;

function firstLine(err: unknown): string {
  return (err instanceof Error ? err.message : String(err)).split('\n')[0].slice(0, 200);
}

/** The line of the document's first alias (1 if none): where an expansion that went too far starts. */
function firstAliasLine(doc: Document, lines: LineCounter): number {
  let line = 1;
  visit(doc, {
    Alias(_key, node) {
      if (isAlias(node) && node.range) line = lines.linePos(node.range[0]).line;
      return visit.BREAK;
    },
  });
  return line;
}

/** The line of the deepest node of the path that exists in the document (1 if none). */
function lineAt(doc: Document, lines: LineCounter, path: readonly PropertyKey[]): number {
  for (let n = path.length; n >= 0; n--) {
    const node = doc.getIn(path.slice(0, n) as (string | number)[], true);
    if (isNode(node) && node.range) return lines.linePos(node.range[0]).line;
  }
  return 1;
}
