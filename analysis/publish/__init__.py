"""Clean tables -> notebooks -> reports: views, charts, fonts, parameters, the batch."""
