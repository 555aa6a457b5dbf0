/** `GET /limits` and the unversioned `GET /services/data/` versions list. */
import type { ApiRoute } from './types.js';

export const SUPPORTED_VERSIONS = [
  '42.0',
  '50.0',
  '55.0',
  '58.0',
  '59.0',
  '60.0',
  '61.0',
  '62.0',
  '63.0',
  '64.0',
];

export const limitRoutes: ApiRoute[] = [
  {
    method: 'GET',
    path: '/limits',
    kind: 'limits',
    handle: ({ env }) => {
      const { dailyApiLimit, apiUsage } = env.state;
      return {
        status: 200,
        body: {
          DailyApiRequests: { Max: dailyApiLimit, Remaining: Math.max(0, dailyApiLimit - apiUsage) },
          DailyBulkV2QueryJobs: { Max: 10000, Remaining: 10000 },
          DailyBulkApiBatches: { Max: 15000, Remaining: 15000 },
          ConcurrentAsyncGetReportInstances: { Max: 200, Remaining: 200 },
        },
      };
    },
  },
];

export function versionsBody() {
  return SUPPORTED_VERSIONS.map((version) => ({
    label: `v${version}`,
    url: `/services/data/v${version}`,
    version,
  }));
}
