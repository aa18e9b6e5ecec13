"""cnkg package."""
