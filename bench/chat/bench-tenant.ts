// The tenant every socket of the chat benchmark belongs to (the UniCS server serves only it).
export const BENCH_TENANT = 'bench';
