"""XLSForm (KoboToolbox / ODK) import and export, and offline submissions."""
