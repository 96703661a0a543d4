#!/usr/bin/env node
// Prints, one per line as name@version, every package a fresh consumer of the ptc-autopilot tarball
// installs: the package's dependencies, its peers, TypeScript and @types/node, and everything they
// depend on, at the versions package-lock.json pins. scripts/test.sh puts them into npm's cache
// (`npm cache add`), so the package test can install the tarball with --offline and reach no registry.
'use strict';
const { readFileSync } = require('node:fs');
const path = require('node:path');

const root = path.join(__dirname, '..');
const lock = JSON.parse(readFileSync(path.join(root, 'package-lock.json'), 'utf8'));
const manifest = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8'));
const packages = lock.packages;
const seen = new Map();

function visit(name, from) {
  // Node's lookup: the nearest node_modules/<name> above the dependent's folder.
  let dir = from;
  for (;;) {
    const key = `${dir ? `${dir}/` : ''}node_modules/${name}`;
    const entry = packages[key];
    if (entry) {
      if (seen.has(key) || entry.inBundle) return;
      seen.set(key, `${name}@${entry.version}`);
      for (const dep of Object.keys({ ...entry.dependencies, ...entry.peerDependencies })) {
        const optional = entry.peerDependenciesMeta && entry.peerDependenciesMeta[dep] && entry.peerDependenciesMeta[dep].optional;
        if (!optional) visit(dep, key);
      }
      return;
    }
    if (!dir) throw new Error(`package-lock.json has no ${name} (needed by ${from || 'the consumer'})`);
    const up = dir.lastIndexOf('/node_modules/');
    dir = up < 0 ? '' : dir.slice(0, up);
  }
}

for (const name of [...Object.keys(manifest.dependencies), ...Object.keys(manifest.peerDependencies), 'typescript', '@types/node'])
  visit(name, '');
process.stdout.write([...new Set(seen.values())].sort().join('\n') + '\n');
