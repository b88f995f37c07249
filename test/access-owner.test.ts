// Changing the owner of a project, secret or JSON store needs OWNER (see test/access-owner-move.ts).
import { ownerOperationSuite } from "./access-owner-move";

ownerOperationSuite("change the owner");
