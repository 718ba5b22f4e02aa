import { build } from 'esbuild';
import { resolve } from 'node:path';
const id = process.argv[2] ?? 'patient-read';
const r = await build({
  bundle: true, minify: true, treeShaking: true, keepNames: true, format: 'esm', platform: 'node', target: 'node22', mainFields: ['module', 'main'],
  metafile: true, logLevel: 'silent', entryPoints: [resolve(`packages/functions/src/handlers/${id}.ts`)], outdir: `/tmp/b16/${id}`, entryNames: id,
  splitting: true, chunkNames: 'chunks/[name]-[hash]', outExtension: { '.js': '.mjs' },
  banner: { js: ["import { createRequire as topLevelCreateRequire } from 'module';", 'const require = topLevelCreateRequire(import.meta.url);', "import { fileURLToPath as topLevelFileUrlToPath, URL as topLevelURL } from 'url';", 'const __filename = topLevelFileUrlToPath(import.meta.url);', "const __dirname = topLevelFileUrlToPath(new topLevelURL('.', import.meta.url));"].join('\n') },
});
const out = r.metafile.outputs;
for (const [p, o] of Object.entries(out)) if (p.endsWith('.mjs')) console.log((o.bytes / 1024).toFixed(1).padStart(8), p, o.imports.filter((i) => i.kind === 'import-statement').length, 'static imports');
const entry = Object.keys(out).find((p) => p.endsWith(`${id}.mjs`) && !p.includes('chunks/'))!;
const closure = new Set<string>([entry]);
const stack = [entry];
while (stack.length) { const p = stack.pop()!; for (const i of out[p]!.imports) if (i.kind === 'import-statement' && !i.external && !closure.has(i.path)) { closure.add(i.path); stack.push(i.path); } }
const byPkg = new Map<string, number>();
let total = 0;
for (const p of closure) { total += out[p]!.bytes; for (const [input, { bytesInOutput }] of Object.entries(out[p]!.inputs)) { const m = input.match(/node_modules\/((?:@[^/]+\/)?[^/]+)/); const k = m ? m[1]! : input.split('/').slice(0, 2).join('/'); byPkg.set(k, (byPkg.get(k) ?? 0) + bytesInOutput); } }
console.log('loaded at import KB', (total / 1024).toFixed(1));
for (const [k, v] of [...byPkg].sort((a, b) => b[1] - a[1]).slice(0, 25)) console.log((v / 1024).toFixed(1).padStart(8), k);
