"""Results -> tables, files and reports."""
