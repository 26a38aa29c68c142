import { App, H5GroveProvider } from '@h5web/app';

import { apiBase } from './api.js';

// H5Web on one file, through the h5grove API of the same server.
function Viewer({ file, path, showFilesLink }) {
  return (
    <div className="viewer">
      <header className="bar">
        <span className="brand">h5dig serve</span>
        <span className="file" title={file}>{file}</span>
        {showFilesLink && (
          <a className="files-link" href="./">
            all files
          </a>
        )}
      </header>
      <main className="viewer-main">
        <H5GroveProvider url={apiBase} filepath={file}>
          <App initialPath={path} sidebarOpen />
        </H5GroveProvider>
      </main>
    </div>
  );
}

export default Viewer;
