"""Verification tools: independent solvers the model is checked against (not model stages)."""
