import { UnavailableError } from '../../ops/runtime/index.js';

export interface PlacementClientOptions {
  url: string;
  serviceToken: string;
  timeoutMs: number;
}

/**
 * Placement as a cell conductor reaches it: over HTTP to the API cell, like Nova's report
 * client. It only moves and frees allocations during a reschedule; it never touches a database.
 */
export class PlacementClient {
  constructor(private readonly options: PlacementClientOptions) {}

  /**
   * Replaces a consumer's allocations with ones on `providerUuid`. Returns false when the
   * provider has no room (placement's 409).
   */
  async replaceAllocations(consumer: string, providerUuid: string, resources: Record<string, number>, projectId: string, userId: string): Promise<boolean> {
    const body = { allocations: { [providerUuid]: { resources } }, project_id: projectId, user_id: userId };
    const res = await this.request('PUT', `/allocations/${consumer}`, body);
    if (res.status === 204) return true;
    if (res.status === 409) return false;
    throw new UnavailableError(`placement PUT allocations answered ${res.status}: ${await res.text()}`);
  }

  async deleteAllocations(consumer: string): Promise<void> {
    const res = await this.request('DELETE', `/allocations/${consumer}`);
    if (res.status !== 204 && res.status !== 404) {
      throw new UnavailableError(`placement DELETE allocations answered ${res.status}: ${await res.text()}`);
    }
  }

  private async request(method: string, path: string, body?: unknown): Promise<Response> {
    try {
      return await fetch(`${this.options.url.replace(/\/$/, '')}${path}`, {
        method,
        headers: { 'content-type': 'application/json', 'x-service-token': this.options.serviceToken },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        signal: AbortSignal.timeout(this.options.timeoutMs),
      });
    } catch (cause) {
      throw new UnavailableError(`placement at ${this.options.url} does not answer: ${(cause as Error).message}`, { cause });
    }
  }
}
