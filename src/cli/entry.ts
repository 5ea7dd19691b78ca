/** Process entry of the CLI: runs main with the process arguments and exits with its code. */
import { main } from './main.js';

// A closed pipe (`lab train | head`) ends the run quietly instead of with an EPIPE stack trace.
process.stdout.on('error', (e: NodeJS.ErrnoException) => {
  if (e.code === 'EPIPE') process.exit(0);
  throw e;
});

main(process.argv.slice(2)).then((code) => {
  process.exitCode = code;
});
