/**
 * The package version, read from package.json at run time so the CLI (`ptc --version`) and the
 * library always report the version that is installed.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

function readVersion(): string {
  // Sources live at the package root, the compiled library in dist/: the manifest is one of these.
  for (const candidate of [path.join(__dirname, 'package.json'), path.join(__dirname, '..', 'package.json')]) {
    if (!fs.existsSync(candidate)) continue;
    const manifest = JSON.parse(fs.readFileSync(candidate, 'utf8')) as { name?: unknown; version?: unknown };
    if (manifest.name === 'ptc-autopilot' && typeof manifest.version === 'string') return manifest.version;
  }
  return '0.0.0-unknown';
}

/** The installed version of ptc-autopilot, from its package.json. */
export const VERSION: string = readVersion();
