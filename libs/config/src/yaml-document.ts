import { Document, LineCounter, isNode, parseDocument } from 'yaml';
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
 */
export function parseYaml<T>(text: string, schema: z.ZodType<T>): YamlParse<T> {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, uniqueKeys: true });
  const syntax = doc.errors[0];
  if (syntax) return { fault: { line: syntax.linePos?.[0].line ?? 1, message: syntax.message.split('\n')[0] } };
  const lineOf = (path: readonly PropertyKey[]) => lineAt(doc, lines, path);
  const parsed = schema.safeParse(doc.toJS());
  if (parsed.success) return { data: parsed.data, lineOf };
  const issue = parsed.error.issues[0];
  return { fault: { line: lineOf(issue.path), message: `${issue.path.join('.') || '(top)'}: ${issue.message}` } };
}

/** The line of the deepest node of the path that exists in the document (1 if none). */
function lineAt(doc: Document, lines: LineCounter, path: readonly PropertyKey[]): number {
  for (let n = path.length; n >= 0; n--) {
    const node = doc.getIn(path.slice(0, n) as (string | number)[], true);
    if (isNode(node) && node.range) return lines.linePos(node.range[0]).line;
  }
  return 1;
}
