"""Customers and credit files, related parties, the shared pool and anti-collision."""
