// @ts-check
/**
 * `/dashboard/view.js`: the contract between the router (app.js) and each view (tasks.js,
 * task.js, agents.js, escalations.js, supervisor.js), as JSDoc types only. No module imports it at
 * run time (the views name it in `@import` comments), so it is type-checked but never loaded.
 * @module
 */

/**
 * @import * as api from './api.js'
 * @import { LifecycleGraph, TransitionEvent } from '../apiTypes.js'
 */

/**
 * What the router hands a view when it mounts it.
 * @typedef {object} ViewContext
 * @property {typeof api} api the API client (with the tab's token)
 * @property {{ id?: string }} params from the path: `#/tasks/<id>` gives `id`
 * @property {URLSearchParams} query from the hash after `?`, e.g. `#/tasks?status=failed`
 * @property {() => Promise<LifecycleGraph>} graph the task statechart, read once
 * @property {(message: string, kind?: 'info' | 'ok' | 'error') => void} toast a passing message
 * @property {(hash: string) => void} go navigates to another view
 * @property {(values: Record<string, string>) => void} setQuery rewrites the query without a history entry
 */

/**
 * A mounted view: what the router calls while it is shown.
 * @typedef {object} View
 * @property {string} [title] the page title's first part
 * @property {(event: TransitionEvent) => void} [onTransition] each transition on the event stream
 * @property {(type: string, data: unknown) => void} [onEvent] the live-only escalation, circuit and supervisor events
 * @property {() => void} [refresh] re-reads everything (after the stream resumed from a drop)
 * @property {() => void} [unmount] stops timers before the next view replaces it
 */

/**
 * Mounts a view into the page's main element.
 * @typedef {(root: HTMLElement, ctx: ViewContext) => View} Mount
 */

export {};
