// The CDC catalogue: what can go wrong between a change event on Kafka and its effect on a view.
import { defineErrors } from '../common/errors.ts';

export const cdcErrors = defineErrors('CDC', {
  CDC_ERR_POISON: {
    description:
      'A change event that can never be applied (not JSON, not a Debezium envelope, an unknown op, a key that does not match its row). It goes to the dead-letter topic with the reason in its headers; the pipeline keeps going.',
    httpStatus: 422,
    retriable: false,
  },
  CDC_ERR_POSITION_INVALID: {
    description:
      "A poll capture's stored position cannot be read by its change source (not one it wrote, or from another source). The capture retries but cannot move; delete the position key to capture again from the start (an initial load), or restore the right one.",
    httpStatus: 500,
    retriable: false,
  },
  CDC_ERR_CAPTURE_UNAVAILABLE: {
    description:
      'A poll capture could not write to Kafka or to its position store (broker or Redis unreachable, a send not acknowledged). The position did not move: the same changes are produced again on the next attempt.',
    httpStatus: 503,
    retriable: true,
  },
  CDC_ERR_SIGNAL_FAILED: {
    description:
      "Debezium could not be asked for, or did not finish, an incremental snapshot (npx unics views rebuild --via debezium): the signal table could not be written, the snapshot was aborted, or no progress arrived in time. Nothing is lost: the views keep what they had and the stream goes on; check the connector's status and its signal.data.collection, then run the rebuild again.",
    httpStatus: 503,
    retriable: true,
  },
});

export const cdcErr = cdcErrors.errors;
