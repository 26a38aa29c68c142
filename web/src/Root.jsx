import { useEffect, useState } from 'react';

import { fetchFiles, viewerHref } from './api.js';
import Picker from './Picker.jsx';
import Viewer from './Viewer.jsx';

function readLocation() {
  const params = new URLSearchParams(window.location.search);
  return { file: params.get('file'), path: params.get('path') || undefined };
}

// Chooses between the viewer (a file is named in the URL) and the picker, and
// loads the file list either way: the viewer links back to it when there are several.
function Root() {
  const [{ file, path }, setLocation] = useState(readLocation);
  const [listing, setListing] = useState({ state: 'loading' });

  useEffect(() => {
    const onPopState = () => setLocation(readLocation());
    window.addEventListener('popstate', onPopState);
    return () => window.removeEventListener('popstate', onPopState);
  }, []);

  useEffect(() => {
    const controller = new AbortController();
    fetchFiles(controller.signal).then(
      (data) => setListing({ state: 'done', ...data }),
      (error) => {
        if (!controller.signal.aborted) setListing({ state: 'error', error });
      },
    );
    return () => controller.abort();
  }, []);

  // One file served and none named: open it, keeping the URL shareable.
  const only = listing.state === 'done' && listing.files.length === 1 ? listing.files[0] : null;
  useEffect(() => {
    if (!file && only) {
      window.history.replaceState(null, '', viewerHref(only.name));
      setLocation(readLocation());
    }
  }, [file, only]);

  if (file) {
    const several = listing.state === 'done' && listing.files.length > 1;
    return <Viewer file={file} path={path} showFilesLink={several} />;
  }
  if (only) {
    return null; // replaced by the viewer on the next render
  }
  return <Picker listing={listing} />;
}

export default Root;
