// Where the server's API lives: the directory of the page, so that the viewer works
// both at http://host:port/ and behind a proxy that mounts it under a sub-path.
export const apiBase = new URL('.', window.location.href).href.replace(/\/$/, '');

// GET /files: the served HDF5 files, {files: [{name, size}], truncated} (docs/serve-api.md).
export async function fetchFiles(signal) {
  const response = await fetch(`${apiBase}/files`, { signal });
  if (!response.ok) {
    throw new Error(`GET /files failed: ${response.status} ${response.statusText}`);
  }
  return response.json();
}

export function viewerHref(name, path) {
  const params = new URLSearchParams({ file: name });
  if (path) params.set('path', path);
  return `?${params.toString()}`;
}
