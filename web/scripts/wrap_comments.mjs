// Wraps comment lines longer than 120 characters in a generated TypeScript file, in place
// (openapi-typescript copies each OpenAPI description onto one line). Code lines are left alone.
//   node scripts/wrap_comments.mjs src/api/schema.ts
import { readFileSync, writeFileSync } from "node:fs";

const LIMIT = 120;

function words(text, width) {
  const lines = [];
  let line = "";
  for (const word of text.split(/\s+/).filter(Boolean)) {
    if (line && line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else line = line ? `${line} ${word}` : word;
  }
  return line ? [...lines, line] : lines;
}

function wrap(line) {
  if (line.length <= LIMIT) return [line];
  const single = /^(\s*)\/\*\* (.*) \*\/$/.exec(line);
  if (single) {
    const [, indent, body] = single;
    const prefix = `${indent} * `;
    return [`${indent}/**`, ...words(body, LIMIT - prefix.length).map((w) => prefix + w), `${indent} */`];
  }
  const inner = /^(\s*\* )(.*)$/.exec(line) ?? /^(\s*\/\/ )(.*)$/.exec(line);
  if (inner) {
    const [, prefix, body] = inner;
    return words(body, LIMIT - prefix.length).map((w) => prefix + w);
  }
  return [line];
}

const path = process.argv[2];
const text = readFileSync(path, "utf8");
writeFileSync(path, text.split("\n").flatMap(wrap).join("\n"));
