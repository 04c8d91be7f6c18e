# The package is described in pyproject.toml; this file lets older tools that call setup.py build it too.
from setuptools import setup

setup()
