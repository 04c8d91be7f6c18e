# ------------------------------------
# Copyright (c) Microsoft Corporation.
# Licensed under the MIT License.
# ------------------------------------
"""`python -m azure.ai.inference`: the command line of `_cli`, as the `azure-ai-inference` script runs it."""

import sys

from ._cli import main

if __name__ == "__main__":
    sys.exit(main())
