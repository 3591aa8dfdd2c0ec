"""Pure statistics for Suara's metrics: no Flask, no database."""
