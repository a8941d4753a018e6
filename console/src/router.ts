import { createRouter, createWebHistory, type RouteRecordRaw } from 'vue-router';
import { abortPageReads } from './api/http.js';
import { useAuthStore } from './auth/auth.store.js';
import { safeRedirect } from './auth/safe-redirect.js';
import { timeNavigations } from './layout/view-timing.js';
import { carryTimeRange } from './time/time-range-carry.js';

// Every view is its own chunk: the first page loads only what it shows.
const routes: RouteRecordRaw[] = [
  {
    path: '/login',
    name: 'login',
    component: () => import('./auth/SignInView.vue'),
    meta: { public: true, title: 'Sign in' },
  },
  {
    path: '/sso',
    name: 'sso-complete',
    component: () => import('./auth/SsoCompleteView.vue'),
    meta: { public: true, title: 'Signing in' },
  },
  {
    path: '/',
    component: () => import('./layout/AppLayout.vue'),
    children: [
      { path: '', redirect: { name: 'services' } },
      {
        path: 'services',
        name: 'services',
        component: () => import('./services/ServicesView.vue'),
        meta: { title: 'Services' },
      },
      {
        path: 'services/:service',
        name: 'service',
        component: () => import('./services/ServiceView.vue'),
        meta: { title: 'Service' },
      },
      { path: 'traces', name: 'traces', component: () => import('./traces/TracesView.vue'), meta: { title: 'Traces' } },
      {
        path: 'traces/:traceId',
        name: 'trace',
        component: () => import('./traces/TraceView.vue'),
        meta: { title: 'Trace' },
      },
      { path: 'logs', name: 'logs', component: () => import('./logs/LogsView.vue'), meta: { title: 'Logs' } },
      {
        path: 'metrics',
        name: 'metrics',
        component: () => import('./metrics/MetricsView.vue'),
        meta: { title: 'Metrics' },
      },
      {
        path: 'dashboards',
        name: 'dashboards',
        component: () => import('./dashboards/DashboardsView.vue'),
        meta: { title: 'Dashboards' },
      },
      {
        path: 'dashboards/:id',
        name: 'dashboard',
        component: () => import('./dashboards/DashboardView.vue'),
        meta: { title: 'Dashboard' },
      },
      { path: 'alerts', name: 'alerts', component: () => import('./alerts/AlertsView.vue'), meta: { title: 'Alerts' } },
      {
        path: 'monitors',
        name: 'monitors',
        component: () => import('./monitors/MonitorsView.vue'),
        meta: { title: 'Monitors' },
      },
      {
        path: 'monitors/:id',
        name: 'monitor',
        component: () => import('./monitors/MonitorView.vue'),
        meta: { title: 'Monitor' },
      },
      {
        path: 'status-pages',
        name: 'status-pages',
        component: () => import('./status-pages/StatusPagesView.vue'),
        meta: { title: 'Status pages' },
      },
      {
        path: 'status-pages/:id',
        name: 'status-page',
        component: () => import('./status-pages/StatusPageView.vue'),
        meta: { title: 'Status page' },
      },
      {
        path: 'settings',
        name: 'settings',
        component: () => import('./settings/SettingsView.vue'),
        meta: { title: 'Settings' },
      },
    ],
  },
  {
    path: '/:unknown(.*)*',
    name: 'not-found',
    component: () => import('./layout/NotFoundView.vue'),
    meta: { public: true, title: 'Not found' },
  },
];

export function createConsoleRouter() {
  const router = createRouter({ history: createWebHistory(), routes });
  timeNavigations(router);
  router.beforeEach((to) => {
    const auth = useAuthStore();
    if (!to.meta.public && !auth.signedIn) return { name: 'login', query: { redirect: to.fullPath } };
    if (to.name === 'login' && auth.signedIn) return safeRedirect(to.query.redirect);
    return true;
  });
  carryTimeRange(router);
  // The reads of the page left behind stop; a change of the query alone stays on the page.
  router.afterEach((to, from, failure) => {
    if (!failure && to.path !== from.path) abortPageReads();
  });
  router.afterEach((to) => {
    document.title = `${typeof to.meta.title === 'string' ? to.meta.title : 'TelemetryFlow'} · TelemetryFlow`;
  });
  return router;
}
