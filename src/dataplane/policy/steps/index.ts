// Pipeline order (see ../pipeline.ts for why this order): each entry decides per target whether
// its step is needed, so a plain route runs no policy code at all.

import { registerSteps } from '../pipeline.ts';

registerSteps([]);
