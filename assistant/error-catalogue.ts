// The ASSIST catalogue (STYLE.md 4): errors raised by the service assistant. docs/errors.md lists them under "ASSIST".
import { defineErrors } from '../common/errors.ts';

export const assistantErrors = defineErrors('ASSIST', {
  ASSIST_ERR_PLUGIN_INVALID: {
    description:
      'An intent plugin is malformed or its configuration names something unknown (a missing detect/respond, a name ' +
      'registered twice, an unknown plugin in assistant.plugins, a weight outside 0–1). Raised at load time; the ' +
      'message names the plugin and what is missing. Fix the plugin or unics.yaml and restart.',
    httpStatus: 500,
    retriable: false,
  },
  ASSIST_ERR_FAQ_INVALID: {
    description:
      'The FAQ knowledge file (assistant/faq.yaml or assistant.faqFile) cannot be read or does not have the expected ' +
      'shape; the message names the entry and the field. Raised at load time.',
    httpStatus: 500,
    retriable: false,
  },
  ASSIST_ERR_PROFILE_UNAVAILABLE: {
    description:
      'The customer profile the assistant answers from could not be read (the gateway answered with an error, or the ' +
      'customer is unknown). The assistant then says nothing about orders, refunds or shipments and hands over.',
    httpStatus: 503,
    retriable: true,
  },
  ASSIST_ERR_MESSAGE_TOO_LARGE: {
    description:
      'A visitor message given to the assistant is longer than its limit (assistant.maxMessageChars, 2,000 by ' +
      'default). The assistant does not read it; the conversation is unaffected.',
    httpStatus: 413,
    retriable: false,
  },
});

export const assistErr = assistantErrors.errors;
