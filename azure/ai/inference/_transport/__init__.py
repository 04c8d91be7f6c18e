# ------------------------------------
# Copyright (c) Microsoft Corporation.
# Licensed under the MIT License.
# ------------------------------------
"""I/O: the transports and what they are made of. Nothing is imported here, so that importing one part (the sync
transport) never imports another (aiohttp).

- `http_client`: `HttpClientTransport`, the sync transport on the standard library's `http.client`: `send` as
  named steps over `encoding` (request bodies, multipart), `pool` (connections and their keep-alive pools),
  `framing` (strict reading of an answer's head and chunks) and `responses` (the azure-core response classes);
- `aiohttp`: `AioHttpTransport`, the async transport (azure-core's, with our bounds and clean connection reuse);
- shared by both: `proxy` (which proxy, the `NO_PROXY` forms, the CONNECT tunnel), `tls` (CA bundle, client
  certificate, one context per setting), `bodies` (bounded, decoded body reading; the sync deadlines) and `idle`
  (whether an idle connection's socket is quiet, for clean reuse);
- `_azure_core`: every private azure-core name used, each with its reason.
"""
