import { readFileSync } from 'node:fs';

export interface ProductInfo {
  name: string;
  version: string;
}

let cached: ProductInfo | undefined;

/** Name and version from package.json, read once (found relative to this module in src and dist). */
export function productInfo(): ProductInfo {
  if (!cached) {
    const manifest = findManifest();
    cached = { name: 'AWS MFA Portal', version: manifest.version };
  }
  return cached;
}

function findManifest(): { version: string } {
  for (const relative of ['../../../package.json', '../../../../package.json']) {
    try {
      const manifest = JSON.parse(readFileSync(new URL(relative, import.meta.url), 'utf8')) as {
        name?: string;
        version: string;
      };
      if (manifest.name === 'aws-mfa-portal') return manifest;
    } catch {
      // not at this depth: src/ and dist/ differ by one level
    }
  }
  return { version: 'unknown' };
}
