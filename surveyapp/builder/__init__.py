"""The questionnaire builder: organiser pages that design surveys."""
