"""The plan registry: plans and their targets (`registry`), the numbers in a plan's text
(`scanner`), and how periods and units are written (`periods`, `units`)."""
