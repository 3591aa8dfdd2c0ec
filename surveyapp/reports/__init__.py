"""Reports: survey and programme reports as a PDF and a print-friendly page."""
