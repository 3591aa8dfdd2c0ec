"""Tests of issue 7 (interop): exports."""
