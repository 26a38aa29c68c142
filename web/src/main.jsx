// Entry point of the viewer `h5dig serve` serves at /.
//   /?file=NAME[&path=/entity]  H5Web on one served file (path: the entity to open)
//   /                           the file picker; straight to the file if only one is served
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';

import '@h5web/app/styles.css';
import './styles.css';

import Root from './Root.jsx';

createRoot(document.getElementById('root')).render(
  <StrictMode>
    <Root />
  </StrictMode>,
);
