/** Counters of SMS API requests, as returned by `GatewaySimulator.stats()` and `GET /stats`. */
export interface GatewayStats {
  /** `POST /sms/json` requests received, including malformed ones. */
  totalRequests: number;
  /** Requests whose message was stored, including those whose response was late or never sent. */
  accepted: number;
  /** Requests that got status "1". */
  throttled: number;
  /** Requests that got HTTP 500. */
  serverErrors: number;
  /** Requests that got any other non-zero status, or HTTP 4xx for an unreadable body. */
  rejected: number;
  /** Largest number of requests that arrived within any one-second window. */
  maxRequestsPerRollingSecond: number;
}

/** Outcome counter that {@link RequestStats.count} increments. */
export type OutcomeCounter = 'accepted' | 'throttled' | 'serverErrors' | 'rejected';

const WINDOW_MS = 1000;

/** Request counters and a rolling one-second window of arrival times. */
export class RequestStats {
  private readonly counters: GatewayStats = {
    totalRequests: 0,
    accepted: 0,
    throttled: 0,
    serverErrors: 0,
    rejected: 0,
    maxRequestsPerRollingSecond: 0,
  };

  // Arrival times within the last second, oldest first. Older entries are dropped on arrival.
  private readonly recentArrivals: number[] = [];

  /** @param now - monotonic clock in milliseconds */
  constructor(private readonly now: () => number) {}

  /**
   * Records one request arrival and returns how many requests, this one included, arrived in
   * the second that ends now.
   */
  recordArrival(): number {
    const arrivedAt = this.now();
    this.recentArrivals.push(arrivedAt);
    while (this.recentArrivals[0]! <= arrivedAt - WINDOW_MS) {
      this.recentArrivals.shift();
    }
    this.counters.totalRequests += 1;
    const inWindow = this.recentArrivals.length;
    this.counters.maxRequestsPerRollingSecond =
      Math.max(this.counters.maxRequestsPerRollingSecond, inWindow);
    return inWindow;
  }

  /** Increments one outcome counter. */
  count(outcome: OutcomeCounter): void {
    this.counters[outcome] += 1;
  }

  /** Returns a copy of the counters. */
  snapshot(): GatewayStats {
    return { ...this.counters };
  }
}
