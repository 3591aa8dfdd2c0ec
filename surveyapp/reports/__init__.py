"""Survey reports: a PDF and a print-friendly page built from the summary."""
