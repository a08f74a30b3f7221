import { Catch, type ArgumentsHost, type ExceptionFilter } from '@nestjs/common';
import { CapabilitiesError } from '../errors';
import { sendWsDenial } from './ws-handshake';

/**
 * Turns the module's typed errors in a WebSocket gateway into Nest's `exception` answer
 * plus the module's `code` (`{status: 'error', message, code}`). Nest applies no global
 * guard or filter to gateways, so a gateway names both.
 *
 * @example
 * @WebSocketGateway()
 * @UseGuards(CapabilityGuard)
 * @UseFilters(CapabilitiesWsFilter)
 * export class BakeryGateway {}
 */
@Catch(CapabilitiesError)
export class CapabilitiesWsFilter implements ExceptionFilter {
  catch(error: CapabilitiesError, host: ArgumentsHost): void {
    if (host.getType() !== 'ws') throw error;
    sendWsDenial(host.switchToWs().getClient(), error);
  }
}
