"""The citizen app's pages (/portal/…)."""
