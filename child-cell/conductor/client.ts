import { callRpc, type NatsConnection } from '../../ops/runtime/index.js';
import { conductorSubject } from '../bus/index.js';
import { CONDUCTOR_VERSION, type PingResult } from './messages.js';

/** The only way to reach a cell's conductors: calls go to whichever conductor of the queue group is free. */
export class ConductorClient {
  private readonly subject: string;

  constructor(
    private readonly nc: NatsConnection,
    cellUuid: string,
  ) {
    this.subject = conductorSubject(cellUuid);
  }

  ping(timeoutMs = 2000): Promise<PingResult> {
    return callRpc<PingResult>(this.nc, this.subject, 'ping', {}, { version: CONDUCTOR_VERSION, timeoutMs });
  }
}
