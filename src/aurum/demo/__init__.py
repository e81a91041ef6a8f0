"""The demo district: a fictional national gold industry generated from a seed."""
