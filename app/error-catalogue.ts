// The APP catalogue: errors of the composition root's own HTTP surface.
import { defineErrors } from '../common/errors.ts';

export const appErrors = defineErrors('APP', {
  APP_ERR_ROUTE_NOT_FOUND: {
    description: 'No endpoint at this method and path. The message lists the endpoints this build serves.',
    httpStatus: 404,
    retriable: false,
  },
  APP_ERR_NOT_READY: {
    description: 'The process is starting or shutting down, or a dependency it needs is unavailable; /readyz says which. Retry shortly or against another instance.',
    httpStatus: 503,
    retriable: true,
  },
});
