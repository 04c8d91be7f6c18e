# ------------------------------------
# Copyright (c) Microsoft Corporation.
# Licensed under the MIT License.
# ------------------------------------
"""The sans-IO core, shared whole by the sync and async clients: request bodies and endpoint shapes, SSE decoding,
updates and their accumulation, results and errors. It imports no socket, ssl, http.client, asyncio, aiohttp or
threading, and no client, pipeline or transport module (`scripts/check_layers.py` checks it)."""
