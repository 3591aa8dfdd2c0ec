"""Exports of responses: CSV, XLSX, SPSS .sav and JSON lines, with a codebook."""
