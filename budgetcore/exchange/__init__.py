"""Exchange: reading, validating and writing imports, the template and the demo."""
