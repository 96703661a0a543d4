/**
 * `WWW-Authenticate` parsing benchmark (`npm run bench -- challenge`): times `parseChallenges`
 * on hostile headers (runs of spaces, of `, `, and of bare tokens) at 1 KB and at 4 KB, the
 * longest header parsed, side by side in one run. Linear parsing gives a ratio near 4; the
 * backtracking parser it replaced gave about 16 (and 2-3 s for one 16 KB header).
 */
import { MAX_CHALLENGE_HEADER_CHARS, parseChallenges } from '../registry';

const SHAPES: Record<string, (n: number) => string> = {
  spaces: (n) => ' '.repeat(n),
  'comma-space': (n) => ', '.repeat(n / 2),
  tokens: (n) => 'a '.repeat(n / 2),
};
const ROUNDS = 200;

function time(header: string): number {
  const start = process.hrtime.bigint();
  for (let i = 0; i < ROUNDS; i++) parseChallenges(header);
  return Number(process.hrtime.bigint() - start) / 1e6 / ROUNDS;
}

for (const [name, make] of Object.entries(SHAPES)) {
  const small = make(1024);
  const large = make(MAX_CHALLENGE_HEADER_CHARS);
  time(large); // warm up
  const a = time(small);
  const b = time(large);
  process.stdout.write(
    `${name.padEnd(12)} 1 KB ${a.toFixed(4)} ms, 4 KB ${b.toFixed(4)} ms, ratio ${(b / a).toFixed(1)} (linear: about 4)\n`,
  );
}
