// Runs in every test worker before the test files.
import { filterKnownWarnings } from '../../common/process-warnings.ts';

filterKnownWarnings();
