"""Tests of issue 7 (interop): api."""
