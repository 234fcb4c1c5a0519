/**
 * @module `npm run service -- <name>`: start one service from environment variables alone.
 * A bad setting or an unknown name prints one line and exits 1 with nothing started; SIGTERM
 * and SIGINT shut down gracefully.
 */
import { exitWithStartError, runService } from "./kit/run-service";
import { loadServiceDefinition } from "./kit/service-registry";

loadServiceDefinition(process.argv[2])
  .then((definition) => runService(definition, process.env))
  .catch(exitWithStartError);
