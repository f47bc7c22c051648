"""The Reports page's parts: choices, figure cards, tables, charts and the PDF summary."""
