"""Analytics: pure statistics (stats/, no Flask or database; free text in text.py), the SQL read layer (queries.py) and the summary document built from both."""
