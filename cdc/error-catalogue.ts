// The CDC catalogue: what can go wrong between a change event on Kafka and its effect on a view.
import { defineErrors } from '../common/errors.ts';

export const cdcErrors = defineErrors('CDC', {
  CDC_ERR_POISON: {
    description:
      'A change event that can never be applied (not JSON, not a Debezium envelope, an unknown op, a key that does not match its row). It goes to the dead-letter topic with the reason in its headers; the pipeline keeps going.',
    httpStatus: 422,
    retriable: false,
  },
});

export const cdcErr = cdcErrors.errors;
