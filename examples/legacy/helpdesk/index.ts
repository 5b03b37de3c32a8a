// The Helpdesk simulator's public surface.
export { createHelpdeskSimulator, HELPDESK_OVERSIZED_BYTES, HELPDESK_PATH, type HelpdeskSimulator, type HelpdeskSimulatorOptions } from './helpdesk-simulator.ts';
export { HELPDESK_MAX_IDS, HELPDESK_MAX_PAGE, HELPDESK_SDL } from './helpdesk-schema.ts';
export { TICKET_PRIORITIES, TICKET_STATUSES, type Ticket, type TicketPriority, type TicketStatus } from './helpdesk-ticket-store.ts';
