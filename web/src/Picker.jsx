import { useMemo, useState } from 'react';

import { viewerHref } from './api.js';

const units = ['B', 'kB', 'MB', 'GB', 'TB'];

function formatSize(bytes) {
  let value = bytes;
  let unit = 0;
  while (value >= 1000 && unit < units.length - 1) {
    value /= 1000;
    unit += 1;
  }
  return `${unit === 0 ? value : value.toFixed(1)} ${units[unit]}`;
}

// The served HDF5 files, filtered as you type; each opens the viewer.
function Picker({ listing }) {
  const [query, setQuery] = useState('');
  const files = listing.state === 'done' ? listing.files : [];
  const shown = useMemo(() => {
    const q = query.trim().toLowerCase();
    return q ? files.filter((f) => f.name.toLowerCase().includes(q)) : files;
  }, [files, query]);

  return (
    <div className="picker">
      <header className="bar">
        <span className="brand">h5dig serve</span>
      </header>
      <main className="picker-main">
        <h1>HDF5 files</h1>
        {listing.state === 'loading' && <p role="status">Loading the file list…</p>}
        {listing.state === 'error' && (
          <p role="alert" className="error">
            {listing.error.message}
          </p>
        )}
        {listing.state === 'done' && files.length === 0 && (
          <p role="status">No HDF5 file is served.</p>
        )}
        {files.length > 0 && (
          <>
            <input
              type="search"
              aria-label="Filter files"
              placeholder={`Filter ${files.length} files`}
              value={query}
              onChange={(e) => setQuery(e.target.value)}
              autoFocus
            />
            <ul aria-label="Files">
              {shown.map((f) => (
                <li key={f.name}>
                  <a href={viewerHref(f.name)}>{f.name}</a>
                  <span className="size">{formatSize(f.size)}</span>
                </li>
              ))}
            </ul>
          </>
        )}
        {listing.truncated && (
          <p className="note">
            The list stops at {files.length} files; serve a sub-directory to see the rest.
          </p>
        )}
      </main>
    </div>
  );
}

export default Picker;
