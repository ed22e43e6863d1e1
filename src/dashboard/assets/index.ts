import { agentsJs } from './agentsJs.js';
import { apiJs } from './apiJs.js';
import { appJs } from './appJs.js';
import { domJs } from './domJs.js';
import { escalationsJs } from './escalationsJs.js';
import { faviconSvg } from './faviconSvg.js';
import { indexHtml } from './indexHtml.js';
import { statechartJs } from './statechartJs.js';
import { styleCss } from './styleCss.js';
import { supervisorJs } from './supervisorJs.js';
import { taskJs } from './taskJs.js';
import { tasksJs } from './tasksJs.js';

/** One file the dashboard serves. @internal */
export interface Asset {
  readonly body: string;
  readonly type: string;
}

const JS = 'text/javascript; charset=utf-8';

/**
 * Everything under `/dashboard/`, by file name. The files are TypeScript string modules so
 * that `tsc` ships them in dist with no copy step, and `warden serve` needs no build server.
 * @internal
 */
export const DASHBOARD_FILES: ReadonlyMap<string, Asset> = new Map([
  ['app.js', { body: appJs, type: JS }],
  ['api.js', { body: apiJs, type: JS }],
  ['dom.js', { body: domJs, type: JS }],
  ['statechart.js', { body: statechartJs, type: JS }],
  ['tasks.js', { body: tasksJs, type: JS }],
  ['task.js', { body: taskJs, type: JS }],
  ['agents.js', { body: agentsJs, type: JS }],
  ['escalations.js', { body: escalationsJs, type: JS }],
  ['supervisor.js', { body: supervisorJs, type: JS }],
  ['style.css', { body: styleCss, type: 'text/css; charset=utf-8' }],
  ['favicon.svg', { body: faviconSvg, type: 'image/svg+xml' }],
]);

export { indexHtml };
