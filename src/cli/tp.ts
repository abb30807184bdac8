#!/usr/bin/env node
import { main } from "./index.js";

// Exit explicitly: a request to a cluster that never answered must not keep tp alive.
process.exit(await main(process.argv));
