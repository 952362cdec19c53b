// Type-checks Grafana dashboard JSON against @grafana/schema with `tsc --strict`.
// Usage: node check.mjs [DIR|FILE.json ...]   (default: the dashboards/ folder above this one)
// Each file is wrapped as `export const dashboard = <json> satisfies AsJson<Board>;` so the compiler checks every
// property (unknown keys, wrong types, bad enum values) without widening literals. `Board` is the schema's
// Dashboard with panels typed by their plugin's options, and `AsJson` turns string enums into their values
// (see as-json.ts). Problems are printed as `path:line: message` with the line in the JSON file; exit code 1
// when there are any.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const args = process.argv.slice(2);
const inputs = args.length > 0 ? args : [path.join(here, '..')];

const files = [];
for (const input of inputs) {
  if (fs.statSync(input).isDirectory()) {
    for (const name of fs.readdirSync(input).sort()) {
      if (name.endsWith('.json')) files.push(path.join(input, name));
    }
  } else {
    files.push(input);
  }
}
if (files.length === 0) {
  console.error(`schema-check: no dashboard JSON found in ${inputs.join(', ')}`);
  process.exit(1);
}

const problems = [];
// One folder per run, so parallel runs (tests) never see each other's files; inside this package so
// that `@grafana/schema` resolves from its node_modules.
const work = fs.mkdtempSync(path.join(here, '.gen-'));
try {
  const sources = new Map();
  files.forEach((file, i) => {
    const text = fs.readFileSync(file, 'utf8');
    try {
      JSON.parse(text);
    } catch (e) {
      problems.push(`${file}:1: invalid JSON: ${e.message}`);
      return;
    }
    const ts = path.join(work, `d${i}.ts`);
    // The JSON starts on line 2 of the generated file: JSON line = TypeScript line - 1.
    fs.writeFileSync(ts, `import type { AsJson, Board } from './as-json';\nexport const dashboard = ${text.trimEnd()} satisfies AsJson<Board>;\n`);
    sources.set(path.basename(ts), file);
  });
  if (sources.size > 0) {
    fs.copyFileSync(path.join(here, 'as-json.ts'), path.join(work, 'as-json.ts'));
    fs.writeFileSync(path.join(work, 'tsconfig.json'), JSON.stringify({
      compilerOptions: {
        strict: true, noEmit: true, target: 'ES2022', module: 'ESNext', moduleResolution: 'Bundler',
        skipLibCheck: true, types: [],
      },
      files: [...sources.keys()],
    }));
    let output = '';
    try {
      execFileSync(process.execPath, [path.join(here, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', work, '--pretty', 'false'], { encoding: 'utf8' });
    } catch (e) {
      output = `${e.stdout ?? ''}${e.stderr ?? ''}`;
      if (!output.trim()) throw e;
    }
    let last = null;
    for (const line of output.split('\n')) {
      const m = /^(?:.*[\\/])?(d\d+\.ts)\((\d+),(\d+)\): error (TS\d+): (.*)$/.exec(line);
      if (m && sources.has(m[1])) {
        last = `${sources.get(m[1])}:${Math.max(1, Number(m[2]) - 1)}: ${m[4]} ${m[5]}`;
        problems.push(last);
      } else if (line.trim() && last !== null && /^\s/.test(line)) {
        problems[problems.length - 1] += ' ' + line.trim();
      } else if (line.trim()) {
        problems.push(`schema-check: ${line.trim()}`);
        last = null;
      }
    }
  }
} finally {
  fs.rmSync(work, { recursive: true, force: true });
}

for (const p of problems) console.log(p);
console.error(problems.length === 0 ? `schema-check: ${files.length} dashboard(s) match @grafana/schema` : `schema-check: ${problems.length} problem(s)`);
process.exit(problems.length === 0 ? 0 : 1);
