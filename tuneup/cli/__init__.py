"""Typer front end: parse, call the core, render with Rich."""
