// The project's folder, found from wherever this module runs: test/helpers/ from source, or
// dist/test/helpers/ once compiled (npm test runs the compiled suite). Tests that read the
// Dockerfile, the manifests or the Python app, or spawn the built sidecar, find the same files
// from both places. dist/ holds no package.json, so the first folder up that has one is the root.
import { existsSync } from 'node:fs'
import { fileURLToPath } from 'node:url'

function findRoot (from: URL): URL {
  for (let dir = from; ; dir = new URL('../', dir)) {
    if (existsSync(new URL('package.json', dir))) return dir
    if (new URL('../', dir).href === dir.href) throw new Error(`no package.json above ${fileURLToPath(from)}`)
  }
}

/** The project's folder as a file URL ending in `/`. */
export const projectRoot: URL = findRoot(new URL('./', import.meta.url))

/** A path inside the project, e.g. `projectPath('deploy/kubernetes/pod-with-sidecar.yaml')`. */
export const projectPath = (relative: string): string => fileURLToPath(new URL(relative, projectRoot))
