/**
 * The preview host's per-run token travels in this request header on every API call (the
 * event stream, which cannot set headers, carries it as `?token=`). The bridge sends it and
 * the server checks it: one name for both.
 */
export const PREVIEW_TOKEN_HEADER = 'x-ledger-token';
