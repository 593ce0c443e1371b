// Writes the licence of every npm package whose code esbuild put into the bundle (read from its
// metafile), so the built file ships with the notices its MIT licences ask for.
import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";

const meta = JSON.parse(readFileSync(process.argv[2], "utf8"));
const packages = new Set();
for (const input of Object.keys(meta.inputs)) {
  const match = /node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(input);
  if (match) packages.add(match[1]);
}
const parts = [];
for (const name of [...packages].sort()) {
  const folder = join("node_modules", name);
  const info = JSON.parse(readFileSync(join(folder, "package.json"), "utf8"));
  const file = readdirSync(folder).find((f) => /^licen[cs]e/i.test(f));
  const text = file ? readFileSync(join(folder, file), "utf8").trim() : `License: ${info.license}`;
  parts.push(`${name} ${info.version} (${info.license})\n\n${text}\n`);
}
process.stdout.write(parts.join("\n" + "-".repeat(72) + "\n\n"));
