/** Process entry of the CLI: runs main with the process arguments and exits with its code. */
import { main } from './main.js';

main(process.argv.slice(2)).then((code) => {
  process.exitCode = code;
});
