// Moving a project, secret or JSON store to another org needs OWNER (see test/access-owner-move.ts).
import { ownerOperationSuite } from "./access-owner-move";

ownerOperationSuite("move to another org");
