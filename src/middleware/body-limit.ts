import { bodyLimit } from "hono/body-limit";
import { ApiError } from "../lib/errors";

export const KIB = 1024;

/** Refuses bodies over `maxBytes` with 413 PAYLOAD_TOO_LARGE, whether or not Content-Length is sent. */
export const limitBody = (maxBytes: number) =>
  bodyLimit({
    maxSize: maxBytes,
    onError: () => {
      throw new ApiError("PAYLOAD_TOO_LARGE", `Request body exceeds ${maxBytes / KIB} KiB`);
    },
  });
