"""Tests of issue 7 (interop): xlsform."""
