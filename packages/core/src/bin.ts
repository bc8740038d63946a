#!/usr/bin/env node
import { main } from './cli/main.js';

// Exit explicitly: plugins may leave handles (sockets, child watchers) open after the run is stored.
process.exit(await main(process.argv.slice(2)));
