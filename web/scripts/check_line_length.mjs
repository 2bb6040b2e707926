// Fails when a line in web/src is longer than 120 characters (Prettier wraps code, but not strings or comments).
import { readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";

const LIMIT = 120;
const root = fileURLToPath(new URL("../src/", import.meta.url));
const TEXT = /\.(ts|tsx|scss|css|json|mjs|js)$/;

function* files(dir) {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) yield* files(path);
    else if (TEXT.test(entry.name)) yield path;
  }
}

const long = [];
for (const path of files(root)) {
  readFileSync(path, "utf8")
    .split("\n")
    .forEach((line, i) => {
      // Length in characters as an editor counts them (a CJK character is one).
      const width = [...line].length;
      if (width > LIMIT) long.push(`web/src/${relative(root, path)}:${i + 1}: ${width} characters`);
    });
}
if (long.length > 0) {
  console.error(`${long.length} line(s) longer than ${LIMIT} characters:\n${long.join("\n")}`);
  process.exit(1);
}
console.log(`web/src: no line longer than ${LIMIT} characters`);
