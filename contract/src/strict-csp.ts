// Imported first by the console: zod compiles object parsers with `new Function` where eval
// is allowed and probes for that once; under the console's Content-Security-Policy (no
// 'unsafe-eval') even the caught probe is reported as a violation. Jitless parsing needs
// neither (and is what zod falls back to there anyway).
import { config } from 'zod';

config({ jitless: true });
