// Filters one known, harmless warning at the entry points (main, CLIs, test setup): kafkajs 2.2.4 schedules a
// timer with a negative delay on Node 24 (kafkajs issue #1751; Node clamps it to 1 ms, which is what kafkajs
// meant). Every other warning is still printed.
export function filterKnownWarnings(): void {
  const listeners = process.listeners('warning');
  process.removeAllListeners('warning');
  process.on('warning', (warning) => {
    if (warning.name === 'TimeoutNegativeWarning') return;
    for (const l of listeners) l(warning);
  });
}
