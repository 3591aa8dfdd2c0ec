"""Analytics: pure statistics (stats.py, no Flask or database), the SQL read layer (queries.py) and the summary document built from both."""
