// Writes the JSON Schema files that "$schema" in agents.config.json and workflows/*.json name,
// generated from the zod schemas. Run by `npm run build` after tsc, so it reads the compiled dist/.
import { mkdir, writeFile } from 'node:fs/promises';
import { jsonSchemaFiles } from '../dist/config/jsonSchema.js';

const outDir = new URL('../schemas/', import.meta.url);
await mkdir(outDir, { recursive: true });
for (const [name, build] of Object.entries(jsonSchemaFiles)) {
  await writeFile(new URL(name, outDir), `${JSON.stringify(build(), null, 2)}\n`);
  console.log(`wrote schemas/${name}`);
}
