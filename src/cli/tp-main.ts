import { main } from "./index.js";

// Exit explicitly: a request to a cluster that never answered must not keep tp alive.
void main(process.argv).then((code) => process.exit(code));
