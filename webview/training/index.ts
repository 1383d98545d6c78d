/** Entry of the Training panel's webview bundle (dist/webview/training.js): the page's body only loads this script. */
import { registerComponents } from '../shared/components';
import type { TrainingProtocol } from '../../extension/shared/webview/training';
import { connectHost } from '../shared/host';
import { TrainingApp } from './training-app';

registerComponents();
const app = new TrainingApp();
app.host = connectHost<TrainingProtocol>();
document.body.append(app);
